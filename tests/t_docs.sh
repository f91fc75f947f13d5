#!/bin/bash
# t_docs — the manual pages say what the code knows:
#   every configuration key in the allowed-key tables of common/config*.c
#     (the `static const char *const ..keys[] = { ... }` arrays) is a
#     documented term (a .TP tag) in man/raiz.json.5;
#   every command in raizctl/main.c's command table (ctl_commands[]) is a .TP
#     tag in man/raizctl.8, and raizctl(8) names every option of raizctl/main.c;
#   every man page renders with `groff -ww -man -Tutf8` without a warning.
# RAIZ_DOCS_DIR / RAIZ_DOCS_SRC override man/ and the source root (used to
# prove the test fails on an undocumented key).
set -u
command -v groff >/dev/null || { echo "SKIP: no groff"; exit 77; }
PY=/usr/bin/python3
MAN=${RAIZ_DOCS_DIR:-man}
SRC=${RAIZ_DOCS_SRC:-.}
rc=0

$PY - "$SRC" "$MAN" <<'PY' || rc=1
import glob, re, sys
src, man = sys.argv[1], sys.argv[2]

def tags(path):
    """the words of every .TP tag line of a man page, formatting removed"""
    out, lines = set(), open(path).read().split('\n')
    for i, ln in enumerate(lines[:-1]):
        if ln.strip() != '.TP':
            continue
        tag = lines[i + 1]
        tag = re.sub(r'^\.(B|I|BR|RB|BI|IB|IR|RI|SM|SB)\s+', '', tag)
        tag = re.sub(r'\\f[BIRP]', '', tag).replace('\\-', '-').replace('\\(dq', '"')
        for w in re.split(r'[\s",\[\]|()]+', tag):
            if w:
                out.add(w)
    return out

def c_arrays(path, name_re):
    """string members of `static const char *const NAME[] = { ... }` arrays"""
    text = open(path).read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    found = {}
    for m in re.finditer(r'static\s+const\s+char\s*\*\s*const\s+(%s)\s*\[\]\s*=\s*\{(.*?)\};'
                         % name_re, text, re.S):
        found.setdefault(m.group(1), []).extend(re.findall(r'"([^"]*)"', m.group(2)))
    return found

bad = 0
keys = set()
for f in sorted(glob.glob(src + '/common/config*.c')):
    for arr, ks in c_arrays(f, r'\w*keys').items():
        keys.update(ks)
if len(keys) < 20:
    print('FAIL: found only %d configuration keys in %s/common/config*.c' % (len(keys), src))
    sys.exit(1)
doc = tags(man + '/raiz.json.5')
for k in sorted(keys):
    if k not in doc:
        print('FAIL: configuration key "%s" is not documented in %s/raiz.json.5' % (k, man))
        bad += 1
print('%d configuration keys, %d undocumented' % (len(keys), bad))

ctl = open(src + '/raizctl/main.c').read()
m = re.search(r'ctl_commands\[\]\s*=\s*\{(.*?)\n\};', ctl, re.S)
cmds = re.findall(r'^\s*\{\s*"([a-z-]+)"', m.group(1), re.M) if m else []
if len(cmds) < 5:
    print('FAIL: found only %d commands in raizctl/main.c\'s ctl_commands[]' % len(cmds))
    sys.exit(1)
doc = tags(man + '/raizctl.8')
for c in cmds:
    if c not in doc:
        print('FAIL: raizctl command "%s" is not documented in %s/raizctl.8' % (c, man))
        bad += 1
opts = re.findall(r'\{\s*"([a-z-]+)",\s*(?:no|required|optional)_argument', ctl)
page = open(man + '/raizctl.8').read().replace('\\-', '-')
for o in opts:
    if '--' + o not in page:
        print('FAIL: raizctl option --%s is not documented in %s/raizctl.8' % (o, man))
        bad += 1
print('%d raizctl commands, %d options' % (len(cmds), len(opts)))
sys.exit(1 if bad else 0)
PY

n=0 nbad=0
for page in "$MAN"/*.[1-9]; do
	[ -e "$page" ] || continue
	n=$((n + 1))
	w=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
	if [ -n "$w" ]; then
		echo "FAIL: $page: groff warnings:"
		echo "$w"
		nbad=$((nbad + 1))
		rc=1
	fi
done
[ $n -ge 5 ] || { echo "FAIL: only $n man pages in $MAN"; rc=1; }
echo "$n man pages, $nbad with groff warnings"
[ $rc = 0 ] && echo PASS
exit $rc
