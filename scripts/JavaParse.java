import com.sun.source.util.JavacTask;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * javac's parser alone, for scripts/lang_differential.py: reads sources separated by NUL bytes
 * on stdin and prints one line per source, "ok" or "LINE\tMESSAGE" for the first error the
 * parser reports. Only JavacTask.parse() runs (no attribution), so every error is a syntax
 * error. Run as `java scripts/JavaParse.java`.
 */
public class JavaParse {
    public static void main(String[] args) throws Exception {
        String input = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        String[] sources = input.split("\0", -1);
        int count = input.endsWith("\0") ? sources.length - 1 : sources.length;
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        List<String> options = List.of("-proc:none", "-Xlint:none", "-nowarn");
        for (int i = 0; i < count; i++) {
            final String src = sources[i];
            JavaFileObject file =
                    new SimpleJavaFileObject(
                            URI.create("string:///Sample.java"), JavaFileObject.Kind.SOURCE) {
                        @Override
                        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                            return src;
                        }
                    };
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            JavacTask task =
                    (JavacTask) javac.getTask(null, null, diagnostics, options, null, List.of(file));
            task.parse();
            String verdict = "ok";
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    String message = d.getMessage(Locale.ROOT).replace('\n', ' ');
                    verdict = d.getLineNumber() + "\t" + message;
                    break;
                }
            }
            out.println(verdict);
        }
    }
}
