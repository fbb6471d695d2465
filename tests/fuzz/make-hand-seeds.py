#!/usr/bin/env python3
"""Writes the hand-made seed-* inputs of tests/fuzz/mxnet-symbol,
cvm-symbol, npy and ini: reader paths that coverage reports (see README.md,
"Coverage of the corpora") showed no mutated input had reached, because
getting there takes several coordinated edits (a JSON scalar where MXNet
writes a string, a top-level "postprocess" member, ...). Rerun after
changing a case: python3 tests/fuzz/make-hand-seeds.py. Standard library
only."""

import json
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(harness, name, text):
    with open(os.path.join(HERE, harness, 'seed-' + name), 'w') as f:
        f.write(text)


def mx(op, attrs, n_inputs=1, version=10500, shape='(1, 2, 4, 4)'):
    """A graph: data and weights of one shape into one operator."""
    nodes = [{'op': 'null', 'name': 'data', 'attrs': {'__shape__': shape}, 'inputs': []}]
    for i in range(1, n_inputs):
        nodes.append({'op': 'null', 'name': 'w%d' % i, 'attrs': {'__shape__': shape}, 'inputs': []})
    nodes.append({'op': op, 'name': 'node', 'attrs': attrs, 'inputs': [[i, 0, 0] for i in range(n_inputs)]})
    return json.dumps({'nodes': nodes, 'arg_nodes': list(range(n_inputs)), 'heads': [[n_inputs, 0, 0]],
                       'attrs': {'mxnet_version': ['int', version]}})


# attribute values as JSON scalars (hand-written files), and what is refused
write('mxnet-symbol', 'attr-int.json', mx('Convolution', {'kernel': '(1, 1)', 'num_filter': 2}, 2))
write('mxnet-symbol', 'attr-float.json', mx('BatchNorm', {'eps': 0.001, 'momentum': 0.9}, 5))
write('mxnet-symbol', 'attr-float-whole.json', mx('BatchNorm', {'eps': 1.0, 'momentum': 1e20}, 5))
write('mxnet-symbol', 'attr-float-fraction.json', mx('LeakyReLU', {'act_type': 'leaky', 'slope': 0.1}))
write('mxnet-symbol', 'attr-bool.json', mx('BatchNorm', {'fix_gamma': False, 'use_global_stats': True}, 5))
write('mxnet-symbol', 'attr-null.json', mx('softmax', {'temperature': None}))
write('mxnet-symbol', 'attr-array.json', mx('Convolution', {'kernel': [1, 1], 'num_filter': '2'}, 2))
write('mxnet-symbol', 'attr-object.json', mx('Convolution', {'kernel': {'h': 1}, 'num_filter': '2'}, 2))
# Python spellings: True for an integer, NaN for a float, and wrong kinds
write('mxnet-symbol', 'attr-true-as-int.json', mx('Convolution', {'kernel': '(1, 1)', 'num_filter': 'True'}, 2))
write('mxnet-symbol', 'attr-nan.json', mx('BatchNorm', {'eps': 'nan'}, 5))
write('mxnet-symbol', 'attr-bad-bool.json', mx('BatchNorm', {'fix_gamma': 'maybe'}, 5))
write('mxnet-symbol', 'attr-bad-int-or-none.json', mx('argmax', {'axis': 'x'}))
write('mxnet-symbol', 'attr-bad-float-or-none.json', mx('softmax', {'temperature': 'hot'}))
# before 0.9.5 argmax wrote axis=-1 for "no axis"
write('mxnet-symbol', 'argmax-0.9.4.json', mx('argmax', {'axis': '-1'}, version=904))
write('mxnet-symbol', 'argmin-0.9.4.json', mx('argmin', {'axis': '-1', 'keepdims': 'True'}, version=904))

# CVM symbols: the lut graph of tests/data/cvm/lut with the rarely seen members
with open(os.path.join(HERE, '..', 'data', 'cvm', 'lut', 'symbol')) as f:
    LUT = json.load(f)


def cvm(name, edit):
    g = json.loads(json.dumps(LUT))
    edit(g)
    write('cvm-symbol', name + '.json', json.dumps(g))


cvm('postprocess-argmax', lambda g: g.update(postprocess='argmax'))
cvm('postprocess-detection', lambda g: g.update(postprocess='detection'))
cvm('postprocess-unknown', lambda g: g.update(postprocess='softmax'))
cvm('postprocess-number', lambda g: g.update(postprocess=3))
cvm('device-index-empty', lambda g: g['attrs'].update(device_index=['list_int', []]))
cvm('device-index-set', lambda g: g['attrs'].update(device_index=['list_int', [0, 0, 0]]))
cvm('device-index-untagged', lambda g: g['attrs'].update(device_index=[0, 0, 0]))
cvm('op-attrs-number-value', lambda g: g['attrs']['op_attrs'][1].__setitem__(2, '{"in_dim": 4}'))
cvm('op-attrs-not-object', lambda g: g['attrs']['op_attrs'][1].__setitem__(2, '[4]'))
cvm('version-1.1-no-dltype', lambda g: (g.update(version='cvm_1.1.0'), g['attrs'].pop('dltype')))


# .npy: byte orders, object arrays, version 2 headers
def npy(descr, shape, data, major=1):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    prefix = 10 if major == 1 else 12
    header += ' ' * ((64 - (prefix + len(header) + 1) % 64) % 64) + '\n'
    size = struct.pack('<H', len(header)) if major == 1 else struct.pack('<I', len(header))
    return b'\x93NUMPY' + bytes([major, 0]) + size + header.encode('latin-1') + data


def write_bytes(harness, name, data):
    with open(os.path.join(HERE, harness, 'seed-' + name), 'wb') as f:
        f.write(data)


write_bytes('npy', 'big-endian-f4.npy', npy('>f4', '(2,)', struct.pack('>2f', 1.5, -2)))
write_bytes('npy', 'big-endian-i8.npy', npy('>i8', '(2, 1)', struct.pack('>2q', 3, -4)))
write_bytes('npy', 'native-order-f4.npy', npy('=f4', '(2,)', struct.pack('<2f', 1.5, -2)))
write_bytes('npy', 'object.npy', npy('|O', '(1,)', b'\x80\x02N.'))
write_bytes('npy', 'bool.npy', npy('|b1', '(3,)', b'\x01\x00\x01'))
write_bytes('npy', 'version2-f2.npy', npy('<f2', '(2, 2)', struct.pack('<4e', 1, 2, 3, 4), major=2))

# .ini: every calibration method and per-channel choice, on the sample's file
with open(os.path.join(HERE, '..', '..', 'data', 'sample', 'fashion_cnn.ini')) as f:
    SAMPLE_INI = f.read()


def ini(name, section, lines, base=SAMPLE_INI):
    text = re.sub(r'(\[%s\]\n)' % section, lambda m: m.group(1) + lines, base, count=1)
    write('ini', name + '.ini', text)


for method in ('absmax', 'lambda', 'kl', 'percentile'):
    ini('method-' + method, 'CALIBRATION', 'Calibration_method=%s\n' % method)
ini('method-lambda-with-value', 'CALIBRATION', 'Calibration_method=lambda\n',
    re.sub(r'(?m)^Lambda=$', 'Lambda=16', SAMPLE_INI))
for choice in ('auto', 'True', 'False', 'sometimes'):
    ini('per-channel-' + choice, 'QUANTIZATION', 'Per_channel=%s\n' % choice)
