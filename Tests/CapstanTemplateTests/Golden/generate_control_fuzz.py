#!/usr/bin/env python3
"""Generates random nests of if/else, range, with, variables and include as golden cases.

Usage: generate_control_fuzz.py SEED COUNT [DIR] [PREFIX]; then `oracle.py --update DIR`.
The committed ctl_*.case files came from seed 21, count 100.
"""
import random, json, os, sys
random.seed(int(sys.argv[1]))
D = sys.argv[3] if len(sys.argv) > 3 else '/tmp/fuzz'
prefix = sys.argv[4] if len(sys.argv) > 4 else 'fz'
if D == '/tmp/fuzz':
    for f in os.listdir(D): os.remove(os.path.join(D, f))
V = {"s": "Hello", "n": 3, "f": 2.5, "z": 0, "b": True, "l": ["b", "a", "c"], "nl": [3, 1, 2], "e": "", "el": [],
     "m": {"k": "v", "x": 1, "inner": {"q": "w", "l": [1, 2]}}, "mm": {"a": {"x": 1}, "b": {"x": 2}}, "nul": None}
vals = ['.Values.s', '.Values.n', '.Values.f', '.Values.z', '.Values.b', '.Values.l', '.Values.nl', '.Values.e', '.Values.el', '.Values.m', '$.Values.s', '$.Values.m.inner.l',
        '.Values.m.inner', '.Values.mm', '.Values.nul', '.Values.nope', '$v', '$i', '"lit"', '7', 'true', '(list 1 2)', '(dict "a" 1)']
def pipe():
    v = random.choice(vals)
    r = random.random()
    if r < 0.2: return v + ' | ' + random.choice(['quote', 'toString', 'len', 'toJson', 'default "d"', 'typeOf', 'empty', 'not'])
    if r < 0.3: return random.choice(['eq', 'ne']) + ' ' + v + ' ' + random.choice(vals)
    if r < 0.4: return random.choice(['and', 'or']) + ' ' + v + ' ' + random.choice(vals)
    return v
def block(depth):
    out = []
    for _ in range(random.randint(1, 3)):
        r = random.random()
        ws = random.choice(['', '-'])
        ws2 = random.choice(['', '-'])
        if depth > 0 and r < 0.2:
            out.append('{{%s if %s %s}}T[%s]{{%s else %s}}F[%s]{{ end }}' % (ws and ws + '', pipe(), ws2, block(depth - 1), ws, ws2, block(depth - 1)))
        elif depth > 0 and r < 0.4:
            var = random.choice(['', '$v := ', '$i, $v := '])
            out.append('{{%s range %s%s %s}}<%s>{{ else }}none{{ end }}' % (ws, var, random.choice(vals), ws2, block(depth - 1)))
        elif depth > 0 and r < 0.5:
            out.append('{{ with %s }}W(%s){{ end }}' % (random.choice(vals), block(depth - 1)))
        elif r < 0.6:
            out.append('{{ $v := %s }}{{ $v }}' % pipe())
        elif r < 0.7:
            out.append('{{ include "inc" %s }}' % random.choice(vals))
        else:
            out.append('{{%s %s %s}}\n ' % (ws, pipe(), ws2))
    return ''.join(out)
helper = '{{- define "inc" -}}[{{ . }}|{{ typeOf . }}]{{- end -}}'
for i in range(int(sys.argv[2])):
    tpl = '{{ $v := 0 }}{{ $i := 0 }}' + block(3) + '\n'
    parts = ['#### values\n' + json.dumps(V), '#### template\n' + tpl, '#### file templates/_inc.tpl\n' + helper, '#### expected\n']
    open(os.path.join(D, prefix + '%04d.case' % i), 'w').write('\n'.join(parts))
