#!/usr/bin/env python3
"""Writes one golden case per `helm create` scaffold template (default and all-features values)."""
import tempfile, os, json, copy
from helm_python import chart
D = os.path.dirname(os.path.abspath(__file__))
d = tempfile.mkdtemp()
chart.Chart.create('c', d)
root = os.path.join(d, 'c')
vals = chart.Chart.load(root).values
helpers = open(os.path.join(root, 'templates/_helpers.tpl')).read()
on = copy.deepcopy(vals)
on['ingress']['enabled'] = True
on['ingress']['className'] = 'nginx'
on['ingress']['annotations'] = {'a/b': 'c'}
on['ingress']['tls'] = [{'secretName': 's', 'hosts': ['chart-example.local']}]
on['autoscaling']['enabled'] = True
on['autoscaling']['targetMemoryUtilizationPercentage'] = 70
on['httpRoute']['enabled'] = True
on['resources'] = {'limits': {'cpu': '100m', 'memory': '128Mi'}}
on['nodeSelector'] = {'disk': 'ssd'}
on['tolerations'] = [{'key': 'k', 'operator': 'Exists'}]
on['podAnnotations'] = {'x': 'y'}
on['podLabels'] = {'extra': 'label'}
on['imagePullSecrets'] = [{'name': 'regcred'}]
on['volumes'] = [{'name': 'v', 'emptyDir': {}}]
on['volumeMounts'] = [{'name': 'v', 'mountPath': '/v'}]
on['service']['type'] = 'NodePort'
on['fullnameOverride'] = 'my-full-name-that-is-quite-long-and-keeps-going-past-sixty-three-chars'
n = 0
for dp, dn, fn in os.walk(os.path.join(root, 'templates')):
    for f in fn:
        rel = os.path.relpath(os.path.join(dp, f), os.path.join(root, 'templates'))
        if rel == '_helpers.tpl':
            continue
        body = open(os.path.join(dp, f)).read()
        for variant, v in (('default', vals), ('on', on)):
            name = 'scaffold_' + rel.replace('/', '_').replace('.', '_') + '_' + variant
            parts = ['#### values\n' + json.dumps(v, indent=1), '#### template\n' + body,
                     '#### file templates/_helpers.tpl\n' + helpers, '#### expected\n']
            open(os.path.join(D, name + '.case'), 'w').write('\n'.join(parts))
            n += 1
print(n)
