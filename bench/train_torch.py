"""PyTorch side of bench/train.js: one epoch of the same model, data order and settings.

    /usr/bin/python3 bench/train_torch.py --model mlp --threads 2 [--limit N] [--epochs 1]

Reads Fashion-MNIST from the same IDX files, scales pixels to [0, 1], trains with Adam
(lr 1e-3) and cross-entropy on batches of 100 in a fixed shuffled order, then prints one JSON line:
{"epoch_s": [...], "test_acc": ..., "peak_rss_mb": ..., "torch": version, "threads": n}.
"""
import argparse, gzip, json, os, resource, struct, time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(root, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(root, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"train_torch.py: {stem}(.gz) not found in {root}")


def model_for(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 10))
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 10, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6760, 300), nn.ReLU(), nn.Linear(300, 10))
    if name == "lenet":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    raise SystemExit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mlp")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--root", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--order", required=True, help="file with the shuffled sample order (int32, one epoch after another)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    xtr = torch.from_numpy(read_idx(find(a.root, "train-images-idx3-ubyte")).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    ytr = torch.from_numpy(read_idx(find(a.root, "train-labels-idx1-ubyte")).astype(np.int64))
    xte = torch.from_numpy(read_idx(find(a.root, "t10k-images-idx3-ubyte")).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    yte = torch.from_numpy(read_idx(find(a.root, "t10k-labels-idx1-ubyte")).astype(np.int64))
    n = a.limit or xtr.shape[0]
    order = torch.from_numpy(np.fromfile(a.order, dtype=np.int32).astype(np.int64))
    model = model_for(a.model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for e in range(a.epochs):
        idx = order[e * n:(e + 1) * n]
        model.train()
        t0 = time.perf_counter()
        for b in range(0, n - 99, 100):
            j = idx[b:b + 100]
            x, y = xtr[j], ytr[j]
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for b in range(0, xte.shape[0], 1000):
            correct += (model(xte[b:b + 1000]).argmax(1) == yte[b:b + 1000]).sum().item()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"epoch_s": times, "test_acc": correct / xte.shape[0], "peak_rss_mb": rss,
                      "torch": torch.__version__, "threads": torch.get_num_threads(), "loss": loss.item()}))


if __name__ == "__main__":
    main()
