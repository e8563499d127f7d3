# GitLab's anchor for heading texts (its Banzai table-of-contents filter): lower-case,
# `[^\p{Word}\- ]` removed, spaces to `-`, runs of `-` squeezed to one, repeats numbered.
# Reads JSON lines {"text": ...} (one note's headings in order, `---` lines between notes)
# and prints {"text", "anchor"} per heading.
require 'json'
PUNCTUATION = /[^\p{Word}\- ]/u
seen = Hash.new(0)
STDIN.each_line do |line|
  if line.strip == '---'
    seen = Hash.new(0)
    next
  end
  text = JSON.parse(line)['text']
  id = text.downcase.gsub(PUNCTUATION, '').tr(' ', '-').squeeze('-')
  n = seen[id]
  seen[id] += 1
  id = "#{id}-#{n}" if n > 0
  puts JSON.generate({ 'text' => text, 'anchor' => id })
end
