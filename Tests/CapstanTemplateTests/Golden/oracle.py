#!/usr/bin/env python3
"""Renders golden cases with Helm 4 (helm-python-sdk) — the reference oracle.

Usage:
  oracle.py --update DIR      rewrite the `#### expected` section of every DIR/*.case
  oracle.py --print FILE...   print Helm's output of each case as JSON {name: {"ok": bool, "text": str}}

Case file format (sections start with a line `#### NAME`):
  #### values        JSON object given as the chart's values (optional)
  #### template      the text of c/templates/t.yaml
  #### file PATH     any extra chart file, e.g. `#### file templates/_helpers.tpl` (optional)
  #### expected      Helm's rendering of c/templates/t.yaml (written by --update)
  #### error         instead of expected: Helm failed; the text is Helm's message
"""
import json, os, shutil, sys, tempfile

def parse_case(text):
    sections, name, buf = [], None, []
    for line in text.split('\n'):
        if line.startswith('#### '):
            if name is not None:
                sections.append((name, '\n'.join(buf)))
            name, buf = line[5:].strip(), []
        else:
            buf.append(line)
    if name is not None:
        sections.append((name, '\n'.join(buf)))
    return sections

def render(sections):
    from helm_python import chart
    d = tempfile.mkdtemp()
    try:
        c = os.path.join(d, 'c')
        os.makedirs(os.path.join(c, 'templates'))
        with open(os.path.join(c, 'Chart.yaml'), 'w') as f:
            f.write('apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: "1.16.0"\n')
        values = {}
        for name, body in sections:
            if name == 'values':
                values = json.loads(body) if body.strip() else {}
            elif name == 'template':
                with open(os.path.join(c, 'templates', 't.yaml'), 'w') as f:
                    f.write(body)
            elif name.startswith('file '):
                p = os.path.join(c, name[5:].strip())
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, 'w') as f:
                    f.write(body)
        try:
            out = chart.Chart.load(c).render(values=values, name='rel', namespace='ns')
            return True, out.get('c/templates/t.yaml', '')
        except Exception as e:  # Helm's render error
            return False, str(e)
    finally:
        shutil.rmtree(d)

def main():
    if sys.argv[1] == '--update':
        folder = sys.argv[2]
        for fn in sorted(os.listdir(folder)):
            if not fn.endswith('.case'):
                continue
            path = os.path.join(folder, fn)
            sections = [s for s in parse_case(open(path).read()) if s[0] not in ('expected', 'error')]
            ok, text = render(sections)
            # The template section keeps its text exactly; the section separator adds one "\n".
            parts = []
            for name, body in sections:
                parts.append('#### ' + name + '\n' + body)
            parts.append(('#### expected\n' if ok else '#### error\n') + text)
            open(path, 'w').write('\n'.join(parts))
    elif sys.argv[1] == '--print':
        result = {}
        for path in sys.argv[2:]:
            sections = [s for s in parse_case(open(path).read()) if s[0] not in ('expected', 'error')]
            ok, text = render(sections)
            result[os.path.basename(path)] = {'ok': ok, 'text': text}
        print(json.dumps(result))

if __name__ == '__main__':
    main()
