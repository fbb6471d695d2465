#!/usr/bin/python3
"""Train the fixture models on Fashion-MNIST and export them as MXNet models.

Usage: /usr/bin/python3 tools/train_models.py [--only sample|resnet20|mobilenet]
                                              [--data-dir DIR] [--epochs N]

The models are trained with PyTorch (Debian's python3-torch) and written in
MXNet's own formats without MXNet: the symbol JSON of the current ("attrs")
generation, as Gluon's export() writes it plus the SoftmaxOutput head of a
training symbol, and a .params NDArray list V2 with "arg:"/"aux:" names.

Every network is described once, as a list of MXNet nodes (class Graph); the
PyTorch module interprets that very list, so what is trained is exactly what
is exported. After export the files are read back and run by a small numpy
re-implementation of the MXNet ops, which must reproduce torch's logits.

Preprocessing is MRT's mnist one: float = pixel / 255, shape (N, 1, 28, 28),
no mean/std. Runs are deterministic (fixed seeds, 2 threads).
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
SEED = 20240601
BATCH = 128

# ---------------------------------------------------------------------------
# Data


def load_idx(path):
    """Reads an idx file (optionally gzipped) of unsigned bytes."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError("%s: not an idx file of unsigned bytes" % path)
    ndim = raw[3]
    dims = struct.unpack(">%dI" % ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError("%s: truncated idx file" % path)
    return data.reshape(dims)


def find_file(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError("%s[.gz] not found in %s" % (stem, data_dir))


def load_split(data_dir, split):
    images = load_idx(find_file(data_dir, "%s-images-idx3-ubyte" % split))
    labels = load_idx(find_file(data_dir, "%s-labels-idx1-ubyte" % split))
    x = images.astype(np.float32).reshape(-1, 1, 28, 28) / 255.0
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


# ---------------------------------------------------------------------------
# The graph: MXNet nodes, and the parameters they use


def tup(*v):
    return "(" + ", ".join(str(i) for i in v) + ")"


class Graph:
    """A list of MXNet symbol nodes plus initial parameter values."""

    def __init__(self):
        self.nodes = []      # dicts: op, name, attrs, inputs (node indices)
        self.args = {}       # name -> torch tensor (trainable: weight/bias/gamma/beta)
        self.auxs = {}       # name -> torch tensor (BatchNorm moving stats)
        self.counters = {}
        self.head = None
        self.logits = None
        self.data = self._var("data")

    def _uniq(self, prefix):
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        return "%s%d" % (prefix, n)

    def _var(self, name):
        self.nodes.append({"op": "null", "name": name, "attrs": {}, "inputs": []})
        return len(self.nodes) - 1

    def _param(self, name, value, aux=False):
        (self.auxs if aux else self.args)[name] = value
        return self._var(name)

    def _op(self, op, name, attrs, inputs):
        self.nodes.append({"op": op, "name": name, "attrs": attrs, "inputs": list(inputs)})
        return len(self.nodes) - 1

    def conv(self, x, cin, cout, k, stride=1, pad=0, groups=1):
        name = self._uniq("conv")
        w = torch.empty(cout, cin // groups, k, k)
        torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
        wi = self._param(name + "_weight", w)
        attrs = {"kernel": tup(k, k), "num_filter": str(cout), "pad": tup(pad, pad),
                 "stride": tup(stride, stride), "no_bias": "True"}
        if groups != 1:
            attrs["num_group"] = str(groups)
        return self._op("Convolution", name, attrs, [x, wi])

    def bn(self, x, c):
        name = self._uniq("batchnorm")
        ins = [x,
               self._param(name + "_gamma", torch.ones(c)),
               self._param(name + "_beta", torch.zeros(c)),
               self._param(name + "_moving_mean", torch.zeros(c), aux=True),
               self._param(name + "_moving_var", torch.ones(c), aux=True)]
        attrs = {"eps": "1e-05", "momentum": "0.9", "fix_gamma": "False",
                 "use_global_stats": "False", "axis": "1"}
        return self._op("BatchNorm", name, attrs, ins)

    def relu(self, x):
        return self._op("Activation", self._uniq("relu"), {"act_type": "relu"}, [x])

    def max_pool(self, x, k, stride):
        attrs = {"kernel": tup(k, k), "pool_type": "max", "stride": tup(stride, stride)}
        return self._op("Pooling", self._uniq("pool"), attrs, [x])

    def global_avg_pool(self, x):
        attrs = {"global_pool": "True", "kernel": tup(1, 1), "pool_type": "avg",
                 "stride": tup(1, 1)}
        return self._op("Pooling", self._uniq("pool"), attrs, [x])

    def flatten(self, x):
        return self._op("Flatten", self._uniq("flatten"), {}, [x])

    def fc(self, x, cin, nout):
        name = self._uniq("fc")
        lin = torch.nn.Linear(cin, nout)  # PyTorch's default init
        wi = self._param(name + "_weight", lin.weight.detach().clone())
        bi = self._param(name + "_bias", lin.bias.detach().clone())
        return self._op("FullyConnected", name, {"num_hidden": str(nout)}, [x, wi, bi])

    def add(self, a, b):
        return self._op("elemwise_add", self._uniq("plus"), {}, [a, b])

    def softmax_output(self, x):
        label = self._var("softmax_label")
        self.logits = x
        self.head = self._op("SoftmaxOutput", "softmax", {}, [x, label])
        return self.head


def conv_bn_relu(g, x, cin, cout, k, stride=1, pad=0, groups=1):
    return g.relu(g.bn(g.conv(x, cin, cout, k, stride, pad, groups), cout))


def build_sample():
    g = Graph()
    x = conv_bn_relu(g, g.data, 1, 16, 3, pad=1)
    x = g.max_pool(x, 2, 2)
    x = conv_bn_relu(g, x, 16, 32, 3, pad=1)
    x = g.max_pool(x, 2, 2)
    x = g.flatten(x)
    x = g.relu(g.fc(x, 32 * 7 * 7, 64))
    x = g.fc(x, 64, 10)
    g.softmax_output(x)
    return g


def build_resnet20():
    g = Graph()
    x = conv_bn_relu(g, g.data, 1, 16, 3, pad=1)
    cin = 16
    for stage, cout in enumerate((16, 32, 64)):
        for block in range(3):
            stride = 2 if stage > 0 and block == 0 else 1
            y = conv_bn_relu(g, x, cin, cout, 3, stride, 1)
            y = g.bn(g.conv(y, cout, cout, 3, 1, 1), cout)
            if stride != 1 or cin != cout:
                x = g.bn(g.conv(x, cin, cout, 1, stride, 0), cout)
            x = g.relu(g.add(y, x))
            cin = cout
    x = g.flatten(g.global_avg_pool(x))
    g.softmax_output(g.fc(x, 64, 10))
    return g


def build_mobilenet():
    g = Graph()
    x = conv_bn_relu(g, g.data, 1, 16, 3, pad=1)
    cin = 16
    for cout, stride in ((32, 1), (64, 2), (64, 1), (128, 2), (128, 1)):
        x = conv_bn_relu(g, x, cin, cin, 3, stride, 1, groups=cin)  # depthwise
        x = conv_bn_relu(g, x, cin, cout, 1)                        # pointwise
        cin = cout
    x = g.flatten(g.global_avg_pool(x))
    g.softmax_output(g.fc(x, cin, 10))
    return g


# ---------------------------------------------------------------------------
# PyTorch interpretation of the graph


def parse_tuple(s):
    return tuple(int(v) for v in s.strip("()[] ").split(",") if v.strip())


class GraphNet(torch.nn.Module):
    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        self.params = torch.nn.ParameterDict(
            {k: torch.nn.Parameter(v.clone()) for k, v in graph.args.items()})
        for k, v in graph.auxs.items():
            self.register_buffer(k, v.clone())

    def value(self, name):
        if name in self.params:
            return self.params[name]
        return getattr(self, name)

    def forward(self, data):
        nodes = self.graph.nodes
        out = {}
        for i, n in enumerate(nodes):
            op, a = n["op"], n["attrs"]
            ins = [out.get(j) for j in n["inputs"]]
            if op == "null":
                out[i] = data if i == self.graph.data else (
                    None if n["name"] == "softmax_label" else self.value(n["name"]))
            elif op == "Convolution":
                out[i] = F.conv2d(ins[0], ins[1], None, parse_tuple(a["stride"]),
                                  parse_tuple(a["pad"]), 1, int(a.get("num_group", "1")))
            elif op == "BatchNorm":
                out[i] = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2],
                                      training=self.training, momentum=0.1, eps=1e-5)
            elif op == "Activation":
                out[i] = F.relu(ins[0])
            elif op == "Pooling":
                if a.get("global_pool") == "True":
                    out[i] = ins[0].mean(dim=(2, 3), keepdim=True)
                else:
                    out[i] = F.max_pool2d(ins[0], parse_tuple(a["kernel"]),
                                          parse_tuple(a["stride"]))
            elif op == "Flatten":
                out[i] = ins[0].flatten(1)
            elif op == "FullyConnected":
                out[i] = F.linear(ins[0], ins[1], ins[2])
            elif op == "elemwise_add":
                out[i] = ins[0] + ins[1]
            elif op == "SoftmaxOutput":
                return ins[0]  # logits; the loss is cross-entropy
            else:
                raise ValueError("unknown op " + op)
        raise ValueError("graph has no SoftmaxOutput")


# ---------------------------------------------------------------------------
# MXNet export

NUM_OUTPUTS = {"BatchNorm": 3}  # MXNet's num_outputs (mean, var are hidden)
NDARRAY_LIST_MAGIC = 0x112
NDARRAY_V2_MAGIC = 0xF993FAC9


def symbol_json(graph):
    nodes, row_ptr = [], [0]
    for n in graph.nodes:
        node = {"op": n["op"], "name": n["name"]}
        if n["attrs"]:
            node["attrs"] = dict(n["attrs"])
        node["inputs"] = [[j, 0, 0] for j in n["inputs"]]
        nodes.append(node)
        row_ptr.append(row_ptr[-1] + NUM_OUTPUTS.get(n["op"], 1))
    sym = {
        "nodes": nodes,
        "arg_nodes": [i for i, n in enumerate(graph.nodes) if n["op"] == "null"],
        "node_row_ptr": row_ptr,
        "heads": [[graph.head, 0, 0]],
        "attrs": {"mxnet_version": ["int", 10600]},
    }
    return format_symbol(sym)


def format_symbol(sym):
    """JSON laid out like MXNet's writer: one key per line, short lists inline."""
    def node_text(node):
        lines = ['    {', '      "op": %s,' % json.dumps(node["op"]),
                 '      "name": %s,' % json.dumps(node["name"])]
        if "attrs" in node:
            items = ['        %s: %s' % (json.dumps(k), json.dumps(v))
                     for k, v in node["attrs"].items()]
            lines += ['      "attrs": {', ",\n".join(items), '      },']
        lines.append('      "inputs": %s' % json.dumps(node["inputs"]))
        return "\n".join(lines) + "\n    }"
    parts = ['{', '  "nodes": [', ",\n".join(node_text(n) for n in sym["nodes"]), '  ],',
             '  "arg_nodes": %s,' % json.dumps(sym["arg_nodes"]),
             '  "node_row_ptr": %s,' % json.dumps(sym["node_row_ptr"]),
             '  "heads": %s,' % json.dumps(sym["heads"]),
             '  "attrs": %s' % json.dumps(sym["attrs"]), '}']
    return "\n".join(parts) + "\n"


def params_bytes(named_arrays):
    """NDArray list V2: [(name with arg:/aux: prefix, float32 numpy array)]."""
    out = [struct.pack("<QQQ", NDARRAY_LIST_MAGIC, 0, len(named_arrays))]
    for _, arr in named_arrays:
        arr = np.ascontiguousarray(arr, dtype="<f4")
        out.append(struct.pack("<IiI", NDARRAY_V2_MAGIC, 0, arr.ndim))
        out.append(struct.pack("<%dq" % arr.ndim, *arr.shape))
        out.append(struct.pack("<iii", 1, 0, 0))  # cpu, device 0, float32
        out.append(arr.tobytes())
    out.append(struct.pack("<Q", len(named_arrays)))
    for name, _ in named_arrays:
        b = name.encode()
        out.append(struct.pack("<Q", len(b)) + b)
    return b"".join(out)


def export(graph, net, prefix):
    arrays = []
    for n in graph.nodes:  # node order: what MXNet's exporters produce too
        name = n["name"]
        if name in graph.args:
            arrays.append(("arg:" + name, net.params[name].detach().numpy()))
        elif name in graph.auxs:
            arrays.append(("aux:" + name, getattr(net, name).detach().numpy()))
    write_atomic(prefix + ".json", symbol_json(graph).encode())
    write_atomic(prefix + ".params", params_bytes(arrays))


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# Independent check: read the files back and run them with numpy


def read_params(path):
    with open(path, "rb") as f:
        raw = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, raw, pos)
        pos += struct.calcsize(fmt)
        return v

    magic, _, count = take("<QQQ")
    assert magic == NDARRAY_LIST_MAGIC
    arrays = []
    for _ in range(count):
        m, stype, ndim = take("<IiI")
        assert m == NDARRAY_V2_MAGIC and stype == 0
        shape = take("<%dq" % ndim)
        dev_type, dev_id, flag = take("<iii")
        assert (dev_type, dev_id, flag) == (1, 0, 0)
        size = int(np.prod(shape)) if ndim else 1
        arrays.append(np.frombuffer(raw, "<f4", size, pos).reshape(shape))
        pos += 4 * size
    (n_names,) = take("<Q")
    assert n_names == count
    names = []
    for _ in range(n_names):
        (ln,) = take("<Q")
        names.append(raw[pos:pos + ln].decode())
        pos += ln
    assert pos == len(raw)
    return {n.split(":", 1)[1]: a for n, a in zip(names, arrays)}


def np_conv(x, w, stride, pad, groups):
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh = (h + 2 * pad[0] - kh) // stride[0] + 1
    ow = (wd + 2 * pad[1] - kw) // stride[1] + 1
    cols = np.empty((n, c, kh, kw, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + stride[0] * oh:stride[0], j:j + stride[1] * ow:stride[1]]
    out = np.empty((n, cout, oh, ow), np.float64)
    og = cout // groups
    for gi in range(groups):
        col = cols[:, gi * cg:(gi + 1) * cg].reshape(n, cg * kh * kw, oh * ow)
        wg = w[gi * og:(gi + 1) * og].reshape(og, cg * kh * kw).astype(np.float64)
        out[:, gi * og:(gi + 1) * og] = np.einsum("ok,nkp->nop", wg, col).reshape(n, og, oh, ow)
    return out


def numpy_forward(sym, params, data):
    out = {}
    nodes = sym["nodes"]
    for i, n in enumerate(nodes):
        op, a = n["op"], n.get("attrs", {})
        ins = [out.get(j[0]) for j in n["inputs"]]
        if op == "null":
            out[i] = data if n["name"] == "data" else params.get(n["name"])
        elif op == "Convolution":
            out[i] = np_conv(ins[0], ins[1], parse_tuple(a["stride"]), parse_tuple(a["pad"]),
                             int(a.get("num_group", "1")))
        elif op == "BatchNorm":
            sh = (1, -1, 1, 1)
            x, gamma, beta, mean, var = ins
            out[i] = ((x - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + float(a["eps"]))
                      * gamma.reshape(sh) + beta.reshape(sh))
        elif op == "Activation":
            out[i] = np.maximum(ins[0], 0)
        elif op == "Pooling":
            x = ins[0]
            if a.get("global_pool") == "True":
                out[i] = x.mean(axis=(2, 3), keepdims=True)
            else:
                k, s = parse_tuple(a["kernel"]), parse_tuple(a["stride"])
                oh, ow = (x.shape[2] - k[0]) // s[0] + 1, (x.shape[3] - k[1]) // s[1] + 1
                r = np.full(x.shape[:2] + (oh, ow), -np.inf)
                for di in range(k[0]):
                    for dj in range(k[1]):
                        r = np.maximum(r, x[:, :, di:di + s[0] * oh:s[0], dj:dj + s[1] * ow:s[1]])
                out[i] = r
        elif op == "Flatten":
            out[i] = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "FullyConnected":
            out[i] = ins[0] @ ins[1].T.astype(np.float64) + ins[2]
        elif op == "elemwise_add":
            out[i] = ins[0] + ins[1]
        elif op == "SoftmaxOutput":
            out[i] = ins[0]  # compare logits (softmax is monotonic)
        else:
            raise ValueError("unknown op " + op)
    return out[sym["heads"][0][0]]


def check_export(prefix, net, x):
    with open(prefix + ".json") as f:
        sym = json.load(f)
    params = read_params(prefix + ".params")
    ref = numpy_forward(sym, params, x.numpy().astype(np.float64))
    with torch.no_grad():
        logits = net(x).numpy()
    err = np.abs(ref - logits).max() / max(1.0, np.abs(ref).max())
    agree = (ref.argmax(1) == logits.argmax(1)).mean()
    print("  numpy re-implementation vs torch on %d images: max rel error %.2e, "
          "top-1 agreement %.1f%%" % (len(x), err, 100 * agree))
    if err > 1e-4 or agree < 0.99:
        raise SystemExit("%s: exported model does not reproduce torch's logits" % prefix)


# ---------------------------------------------------------------------------
# Training


def evaluate(net, x, y):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (net(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def train(net, x, y, epochs, lr):
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps,
                                                pct_start=0.15)
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(x), generator=gen)
        total, t0 = 0.0, time.time()
        for i in range(0, len(x), BATCH):
            idx = perm[i:i + BATCH]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print("  epoch %d: loss %.4f (%.0f s)" % (epoch + 1, total / len(x), time.time() - t0),
              flush=True)


MODELS = {
    # name: (builder, output prefix, epochs, peak learning rate, minimum top-1)
    "sample": (build_sample, "data/sample/fashion_cnn", 3, 3e-3, 0.90),
    "resnet20": (build_resnet20, "tests/data/models/resnet20", 3, 4e-3, 0.90),
    "mobilenet": (build_mobilenet, "tests/data/models/mobilenet", 3, 4e-3, 0.88),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=sorted(MODELS), action="append",
                    help="train only this model (repeatable)")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--epochs", type=int, help="override the epoch count (for quick trials)")
    args = ap.parse_args()

    torch.set_num_threads(2)
    x_train, y_train = load_split(args.data_dir, "train")
    x_test, y_test = load_split(args.data_dir, "t10k")
    t_all = time.time()
    for name in args.only or list(MODELS):
        build, prefix, epochs, lr, minimum = MODELS[name]
        epochs = args.epochs or epochs
        torch.manual_seed(SEED)
        graph = build()
        net = GraphNet(graph)
        n_params = sum(v.numel() for v in graph.args.values()) + \
            sum(v.numel() for v in graph.auxs.values())
        print("%s: %d parameters, %d epochs" % (name, n_params, epochs), flush=True)
        t0 = time.time()
        train(net, x_train, y_train, epochs, lr)
        net.eval()
        acc = evaluate(net, x_test, y_test)
        path = os.path.join(ROOT, prefix)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        export(graph, net, path)
        check_export(path, net, x_test[:200])
        print("%s: float top-1 %.2f%% on %d test images, %.0f s; wrote %s.{json,params}"
              % (name, 100 * acc, len(x_test), time.time() - t0, prefix), flush=True)
        if acc < minimum:
            print("warning: %s is below the %.0f%% target" % (name, 100 * minimum))
    print("total %.0f s" % (time.time() - t_all))


if __name__ == "__main__":
    sys.exit(main())
