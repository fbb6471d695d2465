#!/usr/bin/env python3
"""Writes the malformed-input corpus of tests/bad/ and its MANIFEST.

Each case is tests/bad/<format>/<name> (a file, or a directory for the
dataset formats) and a MANIFEST line "<format>/<name><TAB><expected text>":
tests/test-bad-inputs.c loads every case with its format's reader and
checks for a GError (not a crash) whose message holds the expected text
and names the file. The files are committed; rerun this script after
changing a case (python3 tests/bad/make-bad.py). Only the standard library
is used."""

import gzip
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')
SAMPLE = os.path.join(HERE, '..', '..', 'data', 'sample')
manifest = []
for entry in os.listdir(HERE):  # start clean: a removed case leaves no file behind
    if os.path.isdir(os.path.join(HERE, entry)):
        shutil.rmtree(os.path.join(HERE, entry))


def case(fmt, name, expect, content=None, files=None):
    """content: bytes or str for a file case; files: {name: bytes} for a directory case."""
    path = os.path.join(HERE, fmt, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if files is not None:
        os.makedirs(path, exist_ok=True)
        for fname, data in files.items():
            with open(os.path.join(path, fname), 'wb') as f:
                f.write(data)
    else:
        if isinstance(content, str):
            content = content.encode('utf-8')
        with open(path, 'wb') as f:
            f.write(content)
    assert '\t' not in expect and '\n' not in expect
    manifest.append('%s/%s\t%s' % (fmt, name, expect))


def sub(text, old, new):
    assert old in text, old
    return text.replace(old, new)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


# ---- MXNet symbol JSON (mrt_mxnet_load) ----------------------------------

GOLDEN = read(os.path.join(DATA, 'mxnet', 'golden-symbol.json')).decode()


def mx_sym(nodes, heads='[[0, 0, 0]]', extra=''):
    return '{"nodes": [%s], "arg_nodes": [0], "heads": %s%s}' % (nodes, heads, extra)


VAR = '{"op": "null", "name": "data", "inputs": []}'
S = 'mxnet-symbol'
case(S, 'empty.json', 'the file is empty', '')
case(S, 'not-json.json', 'not valid JSON', 'hello, world')
case(S, 'truncated.json', 'not valid JSON', GOLDEN[:len(GOLDEN) // 2])
case(S, 'array-root.json', 'the top level is not a JSON object', '[1, 2, 3]')
case(S, 'no-nodes.json', '“nodes” is', '{"heads": [[0, 0, 0]]}')
case(S, 'nodes-empty.json', '“nodes” is empty', '{"nodes": [], "heads": []}')
case(S, 'node-not-object.json', 'node 0 is not an object', mx_sym('5'))
case(S, 'node-without-op.json', 'has no string “op”', mx_sym('{"name": "x", "inputs": []}'))
case(S, 'input-out-of-range.json', 'refers to node 99', mx_sym(
    VAR + ', {"op": "relu", "name": "r", "inputs": [[99, 0, 0]]}', '[[1, 0, 0]]'))
case(S, 'head-out-of-range.json', 'head 0 refers to node 7', mx_sym(VAR, '[[7, 0, 0]]'))
case(S, 'no-heads.json', '“heads” is', '{"nodes": [%s], "arg_nodes": [0]}' % VAR)
case(S, 'cycle.json', 'cycle', mx_sym(
    VAR + ', {"op": "elemwise_add", "name": "a", "inputs": [[0, 0, 0], [2, 0, 0]]},'
    ' {"op": "relu", "name": "b", "inputs": [[1, 0, 0]]}', '[[2, 0, 0]]'))
case(S, 'duplicate-name.json', 'is used by two nodes', mx_sym(
    VAR + ', {"op": "null", "name": "data", "inputs": []}'))
case(S, 'unknown-op.json', 'FrobnicateV2', mx_sym(
    VAR + ', {"op": "FrobnicateV2", "name": "f", "inputs": [[0, 0, 0]]}', '[[1, 0, 0]]'))
case(S, 'bad-attr-value.json', 'kernel', mx_sym(
    '{"op": "null", "name": "data", "attrs": {"__shape__": "(1, 1, 4, 4)"}, "inputs": []}, '
    '{"op": "null", "name": "w", "inputs": []}, '
    '{"op": "Convolution", "name": "c", "attrs": {"kernel": "(a, b)", "num_filter": "2", "no_bias": "True"},'
    ' "inputs": [[0, 0, 0], [1, 0, 0]]}', '[[2, 0, 0]]'))
case(S, 'attr-not-string.json', 'must be a string', mx_sym(
    '{"op": "null", "name": "data", "attrs": {"__shape__": [1, 2]}, "inputs": []}'))
case(S, 'attrs-not-object.json', '“attrs” must be an object', mx_sym(
    '{"op": "null", "name": "data", "attrs": "(1, 2)", "inputs": []}'))
case(S, 'bad-mxnet-version.json', 'mxnet_version', mx_sym(VAR, extra=', "attrs": {"mxnet_version": "new"}'))
case(S, 'deep-nesting.json', 'nest more than 64 levels', '{"nodes": ' + '[' * 100000 + ']' * 100000 + '}')
case(S, 'invalid-utf8.json', 'not valid JSON', b'{"nodes": [{"op": "null", "name": "\xff\xfe", "inputs": []}]}')
# 2100 invented op names: they must not be interned (GLib keeps interned
# strings forever; under ASan, LeakSanitizer sees the abandoned quark arrays)
case(S, 'many-unknown-ops.json', 'unknown operator', mx_sym(
    VAR + ''.join(', {"op": "U%d", "name": "n%d", "inputs": [[0, 0, 0]]}' % (i, i) for i in range(2100)),
    '[[1, 0, 0]]'))
case(S, 'octal-escape.json', 'does not decode to UTF-8', mx_sym(
    '{"op": "null", "name": "da\\666ta", "inputs": []}'))
case(S, 'lone-surrogate.json', 'invalid string constant', mx_sym(
    '{"op": "null", "name": "data\\ud800", "inputs": []}'))
case(S, 'nul-byte.json', 'not valid JSON', b'{"nodes": [{"op": "null", "name": "da\0ta", "inputs": []}]}')

# ---- MXNet .params (with tests/data/mxnet/golden-symbol.json) ------------

S = 'mxnet-params'


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def v2_record(dims, flag=0, data=None, stype=0):
    out = u32(0xF993FAC9) + u32(stype) + u32(len(dims)) + b''.join(u64(d) for d in dims)
    out += u32(1) + u32(0) + u32(flag)
    n = 1
    for d in dims:
        n *= d
    return out + (data if data is not None else b'\0' * (4 * n))


def mx_list(records, names):
    return (u64(0x112) + u64(0) + u64(len(records)) + b''.join(records) + u64(len(names)) +
            b''.join(u64(len(n)) + n for n in names))


GOOD_REC = v2_record([2, 3])
case(S, 'empty.params', 'too short', b'')
case(S, 'bad-magic.params', 'not an MXNet .params file', u64(0x113) + u64(0) + u64(0) + u64(0))
case(S, 'count-huge.params', 'claims 1099511627776 arrays', u64(0x112) + u64(0) + u64(1 << 40) + b'\0' * 16)
case(S, 'truncated-record.params', 'cut short', mx_list([GOOD_REC], [b'arg:conv_weight'])[:40])
case(S, 'bad-dtype.params', 'has data type 9', mx_list([v2_record([2], flag=9, data=b'')], [b'arg:x']))
case(S, 'too-many-dims.params', 'has 9 dimensions', mx_list([v2_record([1] * 9)], [b'arg:x']))
case(S, 'negative-dim.params', 'is negative', mx_list([v2_record([2, (1 << 64) - 5], data=b'')], [b'arg:x']))
case(S, 'sparse.params', 'sparse', mx_list([v2_record([2], stype=1)], [b'arg:x']))
case(S, 'name-length-huge.params', 'claims 1099511627776 bytes',
     u64(0x112) + u64(0) + u64(1) + GOOD_REC + u64(1) + u64(1 << 40) + b'abc')
case(S, 'names-count-mismatch.params', '1 arrays but 2 names', mx_list([GOOD_REC], [b'arg:a', b'arg:b']))
case(S, 'duplicate-name.params', 'a second time', mx_list([GOOD_REC, GOOD_REC], [b'arg:a', b'aux:a']))
case(S, 'empty-name.params', 'is empty', mx_list([GOOD_REC], [b'arg:']))
case(S, 'invalid-utf8-name.params', 'not valid UTF-8', mx_list([GOOD_REC], [b'arg:\xff']))
case(S, 'huge-shape.params', 'elements refused', mx_list([v2_record([1 << 20, 1 << 20], data=b'')], [b'arg:x']))
case(S, 'data-cut-short.params', 'cut short', mx_list([v2_record([1000, 1000], data=b'\0' * 64)], [b'arg:x']))
case(S, 'wrong-file.params', 'none of its 1 parameters', mx_list([GOOD_REC], [b'arg:unrelated']))

# ---- CVM symbol (mrt_cvm_parse_symbol) -----------------------------------

LUT = read(os.path.join(DATA, 'cvm', 'lut', 'symbol')).decode()
LUT_PARAMS = read(os.path.join(DATA, 'cvm', 'lut', 'params'))
S = 'cvm-symbol'
case(S, 'empty', 'JSON', '')
case(S, 'not-object', 'JSON object', '[]')
case(S, 'truncated', 'JSON', LUT[:300])
case(S, 'wrong-version', 'cvm_9.9.9', sub(LUT, 'cvm_1.0.0', 'cvm_9.9.9'))
case(S, 'unknown-op', 'cvm_frobnicate', sub(LUT, '"func_name": "cvm_lut"', '"func_name": "cvm_frobnicate"'))
case(S, 'bad-attribute', 'in_dim', sub(LUT, '{\\"in_dim\\": \\"4\\"}', '{\\"in_dim\\": \\"many\\"}'))
case(S, 'shape-mismatch', 'differs from the inferred', sub(LUT, '[[1, 6], [4], [1, 6]]', '[[1, 6], [4], [1, 7]]'))
case(S, 'huge-shape', 'shape', sub(LUT, '[[1, 6], [4], [1, 6]]', '[[1048576, 1048576], [4], [1048576, 1048576]]'))
case(S, 'precision-out-of-range', 'precision', sub(LUT, '[8, 8, -1]', '[40, 8, -1]').replace(
    '{\\"precision\\": \\"8\\"}", "{\\"precision\\": \\"8\\"}"', '{\\"precision\\": \\"40\\"}", "{\\"precision\\": \\"8\\"}"'))
case(S, 'forward-reference', 'node', sub(LUT, '[[0, 0, 0], [1, 0, 0]]', '[[0, 0, 0], [2, 0, 0]]'))
case(S, 'octal-escape', 'does not decode to UTF-8', sub(LUT, '"name": "tbl"', '"name": "t\\666bl"'))
case(S, 'deep-nesting', 'deep', '{"nodes": ' + '[' * 100000 + ']' * 100000 + '}')
case(S, 'bad-storage', 'storage', sub(LUT, '"storage_id": ["list_int", [1, 2, 0]]', '"storage_id": ["list_int", [1, 1, -5]]'))
case(S, 'list-length-mismatch', 'one value per entry', sub(LUT, '["int32", "int32", "int32"]', '["int32"]'))

# ---- CVM params (mrt_cvm_parse with the lut symbol) ----------------------

S = 'cvm-params'
LIST_MAGIC = 0xF7E58D4F05049CB7
ARRAY_MAGIC = 0xDD5E40F096B4A13F


def cvm_array(dims, bits=8, code=0, nbytes=None, data=None):
    n = 1
    for d in dims:
        n *= d
    size = n * bits // 8 if nbytes is None else nbytes
    out = u64(ARRAY_MAGIC) + u64(0) + u32(1) + u32(0) + u32(len(dims)) + bytes([code, bits, 1, 0])
    out += b''.join(u64(d) for d in dims) + u64(size)
    return out + (data if data is not None else b'\x01' * size)


def cvm_list(names, arrays):
    return (u64(LIST_MAGIC) + u64(0) + u64(len(names)) + b''.join(u64(len(n)) + n for n in names) +
            u64(len(arrays)) + b''.join(arrays))


case(S, 'empty', 'the file is empty', b'')
case(S, 'bad-magic', 'wrong magic', u64(0x1234) + u64(0) + u64(0) + u64(0))
case(S, 'truncated', 'truncated file', LUT_PARAMS[:-5])
case(S, 'names-arrays-mismatch', '1 names but 2 arrays', cvm_list([b'tbl'], [cvm_array([4]), cvm_array([4])]))
case(S, 'float-dtype', 'only int8 and int32', cvm_list([b'tbl'], [cvm_array([4], bits=32, code=2)]))
case(S, 'huge-dims', 'out-of-range shape', cvm_list([b'tbl'], [cvm_array([1 << 20, 1 << 20], nbytes=0, data=b'')]))
case(S, 'ndim-7', 'has 7 dimensions', cvm_list([b'tbl'], [cvm_array([1] * 7)]))
case(S, 'nbytes-mismatch', 'declares 5 data bytes', cvm_list([b'tbl'], [cvm_array([4], nbytes=5)]))
case(S, 'trailing-bytes', 'unexpected bytes at the end', cvm_list([b'tbl'], [cvm_array([4])]) + b'junk')
case(S, 'duplicate-name', 'appears twice', cvm_list([b'tbl', b'tbl'], [cvm_array([4]), cvm_array([4])]))
case(S, 'unknown-name', 'is not a variable of the graph', cvm_list([b'weights'], [cvm_array([4])]))
case(S, 'name-length-huge', 'truncated file', u64(LIST_MAGIC) + u64(0) + u64(1) + u64(1 << 40) + b'tbl' + b'\0' * 8)
case(S, 'count-huge', 'truncated file', u64(LIST_MAGIC) + u64(0) + u64(1 << 40) + b'\0' * 16)
case(S, 'wrong-shape', 'tbl', cvm_list([b'tbl'], [cvm_array([5])]))

# ---- CVM ext (mrt_parse_cvm_ext: the ext file of an exported folder) ------

S = 'cvm-ext'
EXT = '{"inputs_ext": {"data": {"scale": 127.0, "target_bit": 8}}, "oscales": [3.5], "input_shapes": [1, 1, 28, 28]}'
case(S, 'empty', 'not a JSON object', b'')
case(S, 'array-root', 'not a JSON object', '[1, 2]')
case(S, 'no-inputs-ext', 'no "inputs_ext" object', sub(EXT, '"inputs_ext"', '"inputs"'))
case(S, 'inputs-ext-number', 'no "inputs_ext" object', '{"inputs_ext": 5, "oscales": []}')
case(S, 'data-array', '"inputs_ext"."data" object', sub(EXT, '{"scale": 127.0, "target_bit": 8}', '[127]'))
case(S, 'scale-string', 'input "scale"', sub(EXT, '127.0', '"127"'))
case(S, 'scale-zero', 'input "scale"', sub(EXT, '127.0', '0'))
case(S, 'target-bit-fraction', '"target_bit"', sub(EXT, '"target_bit": 8', '"target_bit": 8.5'))
case(S, 'target-bit-huge', '"target_bit"', sub(EXT, '"target_bit": 8', '"target_bit": 1e300'))
case(S, 'oscales-object', 'no "oscales" array', sub(EXT, '[3.5]', '{"a": 1}'))
case(S, 'oscale-null', '"oscales" entry 1', sub(EXT, '[3.5]', '[3.5, null]'))
case(S, 'oscale-negative', '"oscales" entry 0', sub(EXT, '[3.5]', '[-2]'))
case(S, 'shapes-string', '"input_shapes" that is not an array', sub(EXT, '[1, 1, 28, 28]', '"1,1,28,28"'))
case(S, 'shape-entry-float', '"input_shapes" entry', sub(EXT, '[1, 1, 28, 28]', '[1, 1.5]'))
case(S, 'shape-too-many-dims', 'more "input_shapes" dimensions', sub(EXT, '[1, 1, 28, 28]', '[' + ', '.join(['1'] * 40) + ']'))
case(S, 'deep-nesting', 'nested too deeply', '{"oscales": ' + '[' * 100000 + ']' * 100000 + '}')

# ---- .npy (mrt_npy_load) ---------------------------------------------------

S = 'npy'


def npy(header, data=b'', major=1, pad=True):
    h = header.encode('latin-1') if isinstance(header, str) else header
    if pad:
        total = 10 + len(h) + 1
        h += b' ' * ((64 - total % 64) % 64) + b'\n'
    if major == 1:
        pre = b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h))
    else:
        pre = b'\x93NUMPY' + bytes([major, 0]) + struct.pack('<I', len(h))
    return pre + h + data


def hdr(descr="'<f4'", fortran='False', shape='(2,)'):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


case(S, 'bad-magic.npy', 'bad magic', b'PK\x03\x04 not an npy')
case(S, 'truncated-prefix.npy', 'truncated', b'\x93NUMPY\x01')
case(S, 'version-4.npy', 'version 4.0 is not supported', npy(hdr(), b'\0' * 8, major=4))
case(S, 'header-past-end.npy', 'runs past the end', b'\x93NUMPY\x01\x00\xff\x7f{')
case(S, 'big-endian.npy', 'big-endian', npy(hdr("'>f4'"), b'\0' * 8))
case(S, 'fortran-order.npy', 'Fortran', npy(hdr(fortran='True', shape='(2, 2)'), b'\0' * 16))
case(S, 'object.npy', 'object arrays', npy(hdr("'|O'"), b'\0' * 16))
case(S, 'structured.npy', 'structured arrays', npy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", b'\0' * 4))
case(S, 'complex.npy', "dtype '<c8' is not supported", npy(hdr("'<c8'"), b'\0' * 16))
case(S, 'missing-shape.npy', "key 'shape' is missing", npy("{'descr': '<f4', 'fortran_order': False, }"))
case(S, 'duplicate-key.npy', 'appears twice', npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", b'\0' * 4))
case(S, 'shape-not-tuple.npy', 'not a tuple', npy(hdr(shape='(5)'), b'\0' * 20))
case(S, 'negative-dim.npy', 'negative dimension', npy(hdr(shape='(-2,)')))
case(S, 'huge-shape.npy', 'refused', npy(hdr(shape='(1048576, 1048576)')))
case(S, 'huge-dim.npy', 'exceeds', npy(hdr(shape='(99999999999999999999,)')))
case(S, 'too-many-dims.npy', 'more than 8 dimensions', npy(hdr(shape='(1, 1, 1, 1, 1, 1, 1, 1, 1)'), b'\0' * 4))
case(S, 'data-truncated.npy', 'needs 40 bytes of data', npy(hdr(shape='(10,)'), b'\0' * 12))
case(S, 'data-extra.npy', 'the file holds 12', npy(hdr(), b'\0' * 12))
case(S, 'unterminated-string.npy', 'unterminated string', npy("{'descr': '<f4", pad=False))
case(S, 'bad-bool.npy', 'neither True nor False', npy(hdr(fortran='Maybe'), b'\0' * 8))
case(S, 'non-ascii-key.npy', 'unexpected character', npy(b"{'\xe9': 1}"))

# ---- idx datasets (directories; mrt_dataset_open "mnist") ------------------

S = 'idx'
IMG = 't10k-images-idx3-ubyte'
LBL = 't10k-labels-idx1-ubyte'


def idx(dtype, dims, data=b''):
    return bytes([0, 0, dtype, len(dims)]) + b''.join(struct.pack('>I', d) for d in dims) + data


GOOD_IMG = idx(8, [2, 28, 28], b'\x10' * (2 * 784))
GOOD_LBL = idx(8, [2], b'\x01\x02')
case(S, 'bad-magic', 'bad magic', files={IMG: b'\x01\x02' + GOOD_IMG[2:], LBL: GOOD_LBL})
case(S, 'float-data', 'type 0x0d', files={IMG: idx(0x0D, [2, 28, 28], b'\0' * (4 * 2 * 784)), LBL: GOOD_LBL})
case(S, 'wrong-ndim', 'has 2 dimensions, 3 expected', files={IMG: idx(8, [2, 784], b'\0' * 1568), LBL: GOOD_LBL})
case(S, 'truncated-header', 'is truncated', files={IMG: GOOD_IMG[:10], LBL: GOOD_LBL})
case(S, 'truncated-data', 'is truncated', files={IMG: GOOD_IMG[:-100], LBL: GOOD_LBL})
case(S, 'huge-dims', 'refused', files={IMG: idx(8, [1 << 20, 1 << 10, 1 << 10]), LBL: GOOD_LBL})
case(S, 'huge-claim-short-file', 'only 0 bytes follow', files={IMG: idx(8, [1 << 11, 1 << 10, 1 << 10]), LBL: GOOD_LBL})
case(S, 'label-count-mismatch', 'has 3 labels but', files={IMG: GOOD_IMG, LBL: idx(8, [3], b'\1\2\3')})
case(S, 'gzip-truncated', 'truncated', files={IMG + '.gz': gzip.compress(GOOD_IMG, mtime=0)[:-30], LBL: GOOD_LBL})
case(S, 'gzip-garbage', IMG + '.gz', files={IMG + '.gz': b'\x1f\x8b\x08\x00garbage-garbage-garbage', LBL: GOOD_LBL})
case(S, 'wrong-sample-size', 'samples of shape (1, 28, 29)', files={IMG: idx(8, [1, 28, 29], b'\0' * 812), LBL: idx(8, [1], b'\0')})

# ---- CIFAR-10 binary batches (directories; "cifar10") ----------------------

S = 'cifar'
case(S, 'empty', 'not a CIFAR-10 binary batch', files={'test_batch.bin': b''})
case(S, 'partial-record', 'not a multiple of 3073', files={'test_batch.bin': b'\0' * 3073 + b'\1' * 100})
case(S, 'text-file', 'not a multiple of 3073', files={'test_batch.bin': b'label,pixels\n1,2,3\n'})

# ---- .npy datasets (directories; "npy") -------------------------------------

S = 'dataset-npy'


def arr(descr, shape, data):
    return npy(hdr("'%s'" % descr, shape=shape), data)


X23 = arr('<f4', '(2, 3)', b'\0' * 24)
case(S, 'labels-2d', 'labels are needed', files={'data.npy': X23, 'label.npy': arr('<i4', '(2, 3)', b'\0' * 24)})
case(S, 'labels-count', 'labels are needed', files={'data.npy': X23, 'label.npy': arr('<i4', '(3,)', b'\0' * 12)})
case(S, 'scalar-data', 'holds a scalar', files={'data.npy': arr('<f4', '()', b'\0' * 4), 'label.npy': arr('<i4', '(1,)', b'\0' * 4)})
case(S, 'bad-data-file', 'bad magic', files={'data.npy': b'garbage', 'label.npy': arr('<i4', '(2,)', b'\0' * 8)})
case(S, 'huge-claim', 'refused', files={'data.npy': arr('<f4', '(1048576, 1048576)', b''), 'label.npy': arr('<i4', '(2,)', b'\0' * 8)})

# ---- .ini (mrt_ini_load) -----------------------------------------------------

S = 'ini'
case(S, 'bad-section.ini', 'a section header must look like [NAME]', '[DEFAULT\nModel_name=x\n')
case(S, 'empty-section-name.ini', 'a section header must look like [NAME]', '[]\n')
case(S, 'option-outside-section.ini', 'option outside any section', 'Model_name=x\n[DEFAULT]\n')
case(S, 'no-delimiter.ini', 'expected “key = value”', '[DEFAULT]\njust some words\n')
case(S, 'duplicate-section.ini', 'appears twice', '[DEFAULT]\na=1\n[DEFAULT]\nb=2\n')
case(S, 'duplicate-option.ini', 'appears twice', '[DEFAULT]\nModel_name=a\nMODEL_NAME=b\n')
case(S, 'not-utf8.ini', 'not UTF-8', b'[DEFAULT]\nModel_name=\xff\xfe\n')
case(S, 'nul-byte.ini', 'not a text file', b'[DEFAULT]\nModel_name=a\0b\n')

# ---- typed configuration (mrt_config_load) -----------------------------------

S = 'config'
BASE = {'DEFAULT': [('Model_dir', ''), ('Model_name', 'm'), ('Input_shape', '(-1, 1, 28, 28)')],
        'CALIBRATION': [('Dataset', 'mnist'), ('Dataset_dir', '.')]}


def config(name, expect, section, key, value):
    sections = {k: list(v) for k, v in BASE.items()}
    opts = sections.setdefault(section, [])
    opts[:] = [(k, v) for k, v in opts if k != key]
    if value is not None:
        opts.append((key, value))
    text = ''.join('[%s]\n%s\n' % (s, ''.join('%s=%s\n' % kv for kv in o)) for s, o in sections.items())
    case(S, name, expect, text)


config('missing-model-name.ini', 'Model_name: please specify the value', 'DEFAULT', 'Model_name', None)
config('missing-input-shape.ini', 'Input_shape: please specify', 'DEFAULT', 'Input_shape', None)
config('bad-input-shape.ini', 'is not a tuple', 'DEFAULT', 'Input_shape', '(-1, a, 28)')
config('two-batch-axes.ini', 'exactly one -1', 'DEFAULT', 'Input_shape', '(-1, -1, 28, 28)')
config('huge-input-shape.ini', 'too large', 'DEFAULT', 'Input_shape', '(-1, 1048576, 1048576, 1048576)')
config('overflowing-input-shape.ini', 'is not a tuple', 'DEFAULT', 'Input_shape', '(-1, 99999999999999999999)')
config('bad-start.ini', 'is not one of', 'DEFAULT', 'Start', 'TRAINING')
config('split-start-without-keys.ini', 'only when SPLIT_MODEL Keys is set', 'DEFAULT', 'Start', 'MERGE_MODEL')
config('bad-device-type.ini', 'neither cpu nor gpu', 'DEFAULT', 'Device_type', 'tpu')
config('bad-device-ids.ini', 'is not a device number', 'DEFAULT', 'Device_ids', '0, x')
config('batch-zero.ini', 'out of range', 'CALIBRATION', 'Batch', '0')
config('batch-not-int.ini', 'is not an integer', 'CALIBRATION', 'Batch', '16.5')
config('batch-overflow.ini', 'is not an integer', 'CALIBRATION', 'Batch', '99999999999999999999999')
config('negative-lambda.ini', 'must be greater than 0', 'CALIBRATION', 'Lambda', '-1')
config('nan-lambda.ini', 'is not a number', 'CALIBRATION', 'Lambda', 'nan')
config('bad-method.ini', 'is not absmax, lambda, kl or percentile', 'CALIBRATION', 'Calibration_method', 'median')
config('percentile-200.ini', 'is above 100', 'CALIBRATION', 'Percentile', '200')
config('missing-dataset-dir.ini', 'does not exist', 'CALIBRATION', 'Dataset_dir', 'no/such/folder')
config('bad-dump.ini', 'is not True or False', 'PREPARE', 'Dump', 'maybe')
config('precision-33.ini', 'out of range [2, 32]', 'QUANTIZATION', 'Input_precision', '33')
config('bad-thresholds.ini', 'must have 2 fields', 'QUANTIZATION', 'Thresholds', 'a: 1: 2')
config('negative-threshold.ini', 'must be a number ≥ 0', 'QUANTIZATION', 'Thresholds', 'a: -1')
config('duplicate-threshold.ini', 'is given twice', 'QUANTIZATION', 'Thresholds', 'a: 1, a: 2')
config('bad-attribute-deps.ini', 'must have 3 fields', 'MERGE_MODEL', 'Attribute_deps', 'a: b')
config('split-without-oscale-maps.ini', 'give one entry per model output', 'SPLIT_MODEL', 'Keys', 'a, b')

with open(os.path.join(HERE, 'MANIFEST'), 'w') as f:
    f.write('# <format>/<name><TAB><text the error message must contain> (written by make-bad.py)\n')
    f.write('\n'.join(manifest) + '\n')
print('%d cases' % len(manifest), file=sys.stderr)
