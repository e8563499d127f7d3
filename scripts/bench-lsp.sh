#!/usr/bin/env bash
# Side-by-side LSP benchmark: notes-lsp and, when they are installed, the peer Markdown
# servers, on the same notes in one run, with the benchmark kit in ../shared/bench.
#
#   scripts/bench-lsp.sh                 # everything: generated 1 MiB note, the corpus's two
#                                        # largest notes, typing burst, requests, check vs rumdl
#   EDITS=50 CORPUS_EDITS=30 scripts/bench-lsp.sh
#
# Environment: PEERS (default ~/.cache/notes-peers, filled by ../shared/bench/install-peers.sh;
# peers are skipped when absent), BENCH_KIT (default ../shared/bench), CORPUS (default
# ../shared/corpus), EDITS (100), CORPUS_EDITS (50), OUT (raw JSON; default a temp dir).
# Prints one table; compare ratios within a run, not absolute times across runs.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
KIT=${BENCH_KIT:-$repo/../shared/bench}
CORPUS=${CORPUS:-$repo/../shared/corpus}
P=${PEERS:-$HOME/.cache/notes-peers}
EDITS=${EDITS:-100}
CORPUS_EDITS=${CORPUS_EDITS:-50}
out=${OUT:-$(mktemp -d -t notes-lsp-bench.XXXXXX)}
mkdir -p "$out"
export BENCH_KIT=$KIT

[ -f "$KIT/lspdrive.py" ] || { echo "benchmark kit not found at $KIT" >&2; exit 2; }
echo "building the release binary..." >&2
(cd "$repo" && cargo build --release --quiet) || exit 2
bin=$(cd "$repo" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/notes-lsp
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 2; }

peers=0
[ -x "$P/venv/bin/rumdl" ] && [ -x "$P/vle/node_modules/.bin/vscode-markdown-language-server" ] && peers=1
[ $peers = 1 ] || echo "peers not installed in $P: notes-lsp only (run $KIT/install-peers.sh)" >&2

# The notes: a generated 1 MiB note (in its own folder, so that the workspace the servers
# index is just that note), one of samples in every checked language (likewise), and the
# corpus's two largest real notes.
gen="$out/gen"; mkdir -p "$gen"
python3 "$KIT/gen_md.py" "$gen/gen-1mib.md" 1048576 1 >&2
mixed="$out/mixed-note"; mkdir -p "$mixed"
python3 "$repo/scripts/gen-mixed.py" "$mixed/mixed-1mib.md" 2>/dev/null
notes=("gen:$gen/gen-1mib.md:$EDITS" "mixed:$mixed/mixed-1mib.md:$EDITS")
for f in Ebazhanov__linkedin-skill-assessments-quizzes/README.md \
         sudheerj__javascript-interview-questions/README.md; do
    [ -f "$CORPUS/$f" ] && notes+=("${f%%__*}:$CORPUS/$f:$CORPUS_EDITS")
done

drive() { python3 "$KIT/lspdrive.py" "$@" >/dev/null 2>>"$out/lspdrive.log"; }
for spec in "${notes[@]}"; do
    IFS=: read -r name file edits <<<"$spec"
    echo "== $name ($file), $edits edits" >&2
    dir="$out/$name"; mkdir -p "$dir"
    if [ $peers = 1 ]; then
        OUT="$dir" PEERS="$P" bash "$KIT/run-peers.sh" "$file" "$edits" "$bin" >/dev/null 2>>"$out/lspdrive.log"
    else
        drive --edits "$edits" --label notes-lsp --out "$dir/notes-lsp.json" "$file" -- "$bin" --stdio
    fi
    # The typing burst: one edit every 30 ms, nobody waiting for diagnostics.
    drive --edits 100 --interval-ms 30 --label notes-lsp --out "$dir/burst.json" "$file" -- "$bin" --stdio
    python3 "$repo/scripts/lsp_requests.py" --reps 50 --out "$dir/requests.json" "$file" -- \
        "$bin" --stdio >/dev/null 2>>"$out/lspdrive.log"
done

# Typing inside the mixed note's samples, language by language (its own table, printed last).
python3 "$repo/scripts/bench-mixed.py" "$mixed/mixed-1mib.md" -- "$bin" >"$out/mixed-typing.txt" 2>>"$out/lspdrive.log"

# `notes-lsp check` and `rumdl check` over the same files of the corpus.
if [ -d "$CORPUS" ]; then
    find "$CORPUS" -name '*.md' -type f | sort >"$out/corpus-files.txt"
    python3 - "$bin" "$P" "$out" <<'EOF'
import json, subprocess, sys, time
bin, peers, out = sys.argv[1:4]
files = open(f"{out}/corpus-files.txt").read().split("\n")[:-1]
res = {"files": len(files), "bytes": sum(len(open(f, "rb").read()) for f in files)}
runs = [("notes-lsp check", [bin, "check", "--format", "json"])]
rumdl = f"{peers}/venv/bin/rumdl"
import os
if os.path.exists(rumdl):
    runs.append(("rumdl check", [rumdl, "check", "--no-cache", "--no-config"]))
for label, cmd in runs:
    best = None
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(cmd + files, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        d = time.perf_counter() - t
        best = d if best is None else min(best, d)
    res[label] = round(best, 3)
json.dump(res, open(f"{out}/check.json", "w"), indent=1)
EOF
fi

# One table.
python3 - "$out" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
def load(p):
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return None
def f(x, nd=1):
    return "-" if x is None else f"{x:.{nd}f}"
print("| note | server | edit → diagnostics ms p50 / p99 | symbols after edit ms p50 | open → first diagnostics ms | peak RSS MiB | CPU s | edits |")
print("|---|---|---|---|---|---|---|---|")
for d in sorted(glob.glob(f"{out}/*/")):
    name = os.path.basename(d.rstrip("/"))
    rows = []
    for p in sorted(glob.glob(f"{d}*.json")):
        r = load(p)
        if not r or "label" not in r or r.get("burst"):
            continue
        push = (r.get("push_diagnostics") or {}).get("latency_ms")
        pull = (r.get("pull_diagnostics") or {}) or {}
        lat = push or pull.get("after_change_ms")
        how = "" if push else " (pull)"
        sym = r.get("symbols_after_edit_ms")
        op = r.get("open_to_first_publish_ms")
        if op is None:
            op = r.get("open_pull_ms")
        rows.append((lat["median"] if lat else 1e18, name, r["label"] + how,
                     "-" if not lat else f"{lat['median']:.2f} / {lat['p99']:.2f}",
                     f(sym and sym["median"], 2), f(op, 0),
                     f(r["peak_rss_tree_sampled_kb"] / 1024, 0), f(r.get("server_cpu_s")), r.get("edits_done")))
    for row in sorted(rows):
        print("| " + " | ".join(str(c) for c in row[1:]) + " |")
print()
print("| note | typing burst (100 edits, 1 / 30 ms) | versions published | last edit → its diagnostics ms | publish latency p50 / max ms |")
print("|---|---|---|---|---|")
for d in sorted(glob.glob(f"{out}/*/")):
    r = load(f"{d}burst.json")
    if not r or not r.get("burst"):
        continue
    b = r["burst"]
    pl = b.get("publish_latency_ms") or {}
    print(f"| {os.path.basename(d.rstrip('/'))} | notes-lsp | {b['versions_published']} | "
          f"{f(b.get('last_edit_to_final_publish_ms'), 2)} | {f(pl.get('median'), 2)} / {f(pl.get('max'), 2)} |")
print()
print("| note | notes-lsp over LSP, ms p50 / p99 | documentSymbol | foldingRange | hover |")
print("|---|---|---|---|---|")
for d in sorted(glob.glob(f"{out}/*/")):
    r = load(f"{d}requests.json")
    if not r:
        continue
    c = lambda k: "-" if not r.get(k) else f"{r[k]['median']:.2f} / {r[k]['p99']:.2f}"
    print(f"| {os.path.basename(d.rstrip('/'))} | | {c('document_symbol_ms')} | {c('folding_range_ms')} | {c('hover_ms')} |")
c = load(f"{out}/check.json")
if c:
    print()
    print(f"check over the corpus ({c['files']} files, {c['bytes'] / 2**20:.1f} MiB), best of 3: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in c.items() if k.endswith("check")))
EOF
echo
cat "$out/mixed-typing.txt"
echo "raw results in $out" >&2
