#!/usr/bin/env python3
"""Generates random nested function expressions over fixed values as golden cases.

Usage: generate_fuzz.py SEED COUNT [DIR] [PREFIX]; then `oracle.py --update DIR` fills in
what Helm renders. The committed fuzz_*.case files came from seed 11, count 150.
"""
import random, json, os, sys
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
D = sys.argv[3] if len(sys.argv) > 3 else '/tmp/fuzz'  # output folder
if D == '/tmp/fuzz':
    for f in os.listdir(D): os.remove(os.path.join(D, f))
V = {"s": "Hello World", "e": "", "n": 3, "f": 2.5, "z": 0, "neg": -7, "big": 12345678, "b": True, "l": ["b", "a", "c"], "nl": [3, 1, 2],
     "m": {"k": "v", "x": 1, "inner": {"q": "w"}}, "ver": "1.2.3", "csv": "a,b,,c", "ml": "x\ny\n", "nul": None, "uni": "héllo wörld", "path": "a/b/c.txt"}
atoms = ['.Values.s', '.Values.e', '.Values.n', '.Values.f', '.Values.z', '.Values.neg', '.Values.big', '.Values.b', '.Values.l', '.Values.nl', '.Values.m',
         '.Values.ver', '.Values.csv', '.Values.ml', '.Values.nul', '.Values.nope', '.Values.uni', '.Values.path', '.Values.m.inner',
         '"abc"', '"A b-C_d"', '""', '" pad "', '1', '0', '-2', '3', '2.5', '1e3', 'true', 'false', 'nil', '(list 1 "a" 2.5)', '(dict "a" 1 "b" "x")',
         '(list)', '(dict)', '"x,y"', '"-"', '"1.5"', '"42"', '5', '10']
funcs = {
 'upper':1, 'lower':1, 'title':1, 'untitle':1, 'trim':1, 'quote':1, 'squote':1, 'len':1, 'toString':1, 'toJson':1, 'toYaml':1, 'b64enc':1,
 'sha256sum':1, 'first':1, 'last':1, 'rest':1, 'initial':1, 'reverse':1, 'uniq':1, 'compact':1, 'sortAlpha':1, 'keys':1, 'values':1, 'empty':1,
 'typeOf':1, 'kindOf':1, 'int':1, 'int64':1, 'float64':1, 'atoi':1, 'not':1, 'default':2, 'ternary':3, 'coalesce':2, 'add':2, 'sub':2, 'mul':2,
 'div':2, 'mod':2, 'max':2, 'min':2, 'addf':2, 'mulf':2, 'subf':2, 'divf':2, 'floor':1, 'ceil':1, 'round':2, 'eq':2, 'ne':2, 'lt':2, 'gt':2, 'le':2, 'ge':2,
 'and':2, 'or':2, 'contains':2, 'hasPrefix':2, 'hasSuffix':2, 'trimPrefix':2, 'trimSuffix':2, 'trimAll':2, 'repeat':2, 'trunc':2, 'abbrev':2,
 'indent':2, 'nindent':2, 'replace':3, 'substr':3, 'splitList':2, 'join':2, 'split':2, 'has':2, 'without':2, 'append':2, 'prepend':2, 'concat':2,
 'index':2, 'hasKey':2, 'get':2, 'pick':2, 'omit':2, 'print':2, 'printf':2, 'cat':2, 'plural':3, 'regexMatch':2, 'regexFind':2, 'regexReplaceAll':3,
 'snakecase':1, 'camelcase':1, 'kebabcase':1, 'swapcase':1, 'initials':1, 'nospace':1, 'toStrings':1, 'until':1, 'seq':2, 'slice':2, 'chunk':2,
 'wrap':2, 'base':1, 'dir':1, 'ext':1, 'clean':1, 'urlquery':1, 'html':1, 'js':1, 'len':1, 'deepCopy':1, 'fromJson':1, 'fromYaml':1, 'toRawJson':1,
 'toPrettyJson':1, 'semverCompare':2, 'adler32sum':1, 'sha1sum':1, 'b32enc':1, 'mergeOverwrite':2, 'merge':2, 'dig':3, 'toDecimal':1, 'duration':1,
}
def expr(depth):
    if depth == 0 or random.random() < 0.35:
        return random.choice(atoms)
    f = random.choice(list(funcs))
    n = funcs[f]
    args = [expr(depth - 1) for _ in range(n)]
    if f == 'printf':
        args[0] = random.choice(['"%v"', '"%s-%d"', '"%q"', '"%5.2f"', '"%x"', '"%-6v|"', '"%t"', '"%03d"'])
    if random.random() < 0.3 and n >= 1:
        last = args.pop()
        return '(' + last + ' | ' + f + (' ' + ' '.join(args) if args else '') + ')'
    return '(' + f + ' ' + ' '.join(args) + ')'
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 300):
    e = expr(3)
    tpl = '{{ ' + e + ' }}\n'
    parts = ['#### values\n' + json.dumps(V), '#### template\n' + tpl, '#### expected\n']
    open(os.path.join(D, (sys.argv[4] if len(sys.argv) > 4 else 'fz') + '%04d.case' % i), 'w').write('\n'.join(parts))
