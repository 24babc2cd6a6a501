"""PyTorch side of bench/accuracy.js: the same model and settings, trained on the same images.

    /usr/bin/python3 bench/accuracy_torch.py --model cnn --data DIR --threads 1 --epochs 10 \
        [--schedule-epochs 10] [--lr 1e-3] [--schedule cosine|constant] [--augment crop2,hflip|none] \
        [--normalize 0.286,0.353|none]

DIR is written by bench/accuracy.js: x_train.u8 / x_test.u8 (images, bytes, [N, 1, 28, 28] order),
y_train.i32 / y_test.i32 (labels, little-endian int32) and meta.json ({n_train, n_test, shape}).
The models are bench/accuracy.js's (see its docstring), built here by name with torch.nn's default
initialization. Training: batch 100 in a seeded shuffled order per epoch, Adam(lr), cross-entropy,
optionally cosine annealing stepped after every batch with T_max = schedule-epochs x batches per
epoch (so that fewer epochs than @dl still follow @dl's schedule). Augmentation on each training
batch with tensor ops (no torchvision needed), the semantics of @dl/data's transforms:
  crop2  pad 2 zero pixels on every side, then cut a 28 x 28 window at a uniformly random
         position (top and left each in {0, ..., 4}), independently per image;
  hflip  mirror left-right with probability 0.5, independently per image.
Pixels are byte / 255, then (x - mean) / std when --normalize is given.

Prints progress per epoch on stderr and one JSON line on stdout:
{"engine": "torch", "torch": version, "threads": n, "epochs": [{"epoch", "loss", "test_acc",
"train_s", "data_s", "eval_s", "lr"}, ...], "n_train", "n_test", "peak_rss_mb"}.
The epoch time train_s covers forward, loss, backward and the optimizer/scheduler steps only.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 100
TEST_BATCH = 1000


def build(name):
    """The architectures of bench/accuracy.js, layer for layer."""
    if name == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
    if name == "cnn-bn-aug":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(256, 10))
    if name == "course-mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 10))
    sys.exit(f"accuracy_torch.py: unknown model {name!r}")


def load(folder):
    """(x_train, y_train, x_test, y_test): float32 [N, 1, 28, 28] in [0, 1] and int64 labels."""
    meta_file = os.path.join(folder, "meta.json")
    if not os.path.exists(meta_file):
        sys.exit(f"accuracy_torch.py: {meta_file} not found; the folder is written by bench/accuracy.js")
    with open(meta_file) as f:
        meta = json.load(f)
    shape = tuple(meta["shape"])

    def part(stem, n):
        xf, yf = os.path.join(folder, f"x_{stem}.u8"), os.path.join(folder, f"y_{stem}.i32")
        x = np.fromfile(xf, dtype=np.uint8)
        y = np.fromfile(yf, dtype="<i4")
        if x.size != n * int(np.prod(shape)) or y.size != n:
            sys.exit(f"accuracy_torch.py: {xf} / {yf} hold {x.size} bytes / {y.size} labels, expected {n} images of {shape}")
        return torch.from_numpy(x.astype(np.float32) / 255).reshape(n, *shape), torch.from_numpy(y.astype(np.int64))

    return (*part("train", meta["n_train"]), *part("test", meta["n_test"]))


def random_crop(x, pad, gen):
    """Each image of x [B, C, H, W]: zero-pad by `pad`, then a random H x W window."""
    b, c, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    top = torch.randint(0, 2 * pad + 1, (b,), generator=gen)
    left = torch.randint(0, 2 * pad + 1, (b,), generator=gen)
    rows = (top[:, None] + torch.arange(h))[:, None, :, None]    # [B, 1, H, 1]
    cols = (left[:, None] + torch.arange(w))[:, None, None, :]   # [B, 1, 1, W]
    return xp[torch.arange(b)[:, None, None, None], torch.arange(c)[None, :, None, None], rows, cols]


def random_hflip(x, gen):
    """Mirrors each image of x [B, C, H, W] left-right with probability 0.5."""
    flip = torch.rand(x.shape[0], generator=gen) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="folder written by bench/accuracy.js")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--schedule-epochs", type=int, default=0, help="length of the lr schedule in epochs (default: --epochs)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--schedule", choices=["cosine", "constant"], default="constant")
    ap.add_argument("--augment", default="none", help="comma list of crop2, hflip, or none")
    ap.add_argument("--normalize", default="none", help="mean,std or none")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    gen_order, gen_aug = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
    augment = [] if a.augment == "none" else a.augment.split(",")
    for n in augment:
        if n not in ("crop2", "hflip"):
            sys.exit(f"accuracy_torch.py: unknown augmentation {n!r} (crop2, hflip)")
    mean_std = None if a.normalize == "none" else [float(v) for v in a.normalize.split(",")]

    xtr, ytr, xte, yte = load(a.data)
    if mean_std:
        xte = (xte - mean_std[0]) / mean_std[1]
    n = xtr.shape[0]
    steps = math.ceil(n / BATCH)
    model = build(a.model)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = None
    if a.schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=(a.schedule_epochs or a.epochs) * steps)
    loss_fn = nn.CrossEntropyLoss()
    rows = []
    for e in range(1, a.epochs + 1):
        model.train()
        train_s = data_s = loss_sum = 0.0
        order = torch.randperm(n, generator=gen_order)
        t_ready = time.perf_counter()
        for b in range(0, n, BATCH):
            j = order[b:b + BATCH]
            x, y = xtr[j], ytr[j]
            if "crop2" in augment:
                x = random_crop(x, 2, gen_aug)
            if "hflip" in augment:
                x = random_hflip(x, gen_aug)
            if mean_std:
                x = (x - mean_std[0]) / mean_std[1]
            t0 = time.perf_counter()
            data_s += t0 - t_ready
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            if sched:
                sched.step()
            loss_sum += loss.item() * y.shape[0]
            t_ready = time.perf_counter()
            train_s += t_ready - t0
        t1 = time.perf_counter()
        model.eval()
        correct = 0
        with torch.no_grad():
            for b in range(0, xte.shape[0], TEST_BATCH):
                correct += (model(xte[b:b + TEST_BATCH]).argmax(1) == yte[b:b + TEST_BATCH]).sum().item()
        row = {"epoch": e, "loss": loss_sum / n, "test_acc": correct / xte.shape[0], "train_s": train_s,
               "data_s": data_s, "eval_s": time.perf_counter() - t1, "lr": opt.param_groups[0]["lr"]}
        rows.append(row)
        print(f"  {a.model} torch epoch {e}/{a.epochs}: loss {row['loss']:.4f}, test acc {100 * row['test_acc']:.2f}%, "
              f"train {train_s:.2f} s (batches {data_s:.2f} s, eval {row['eval_s']:.2f} s)", file=sys.stderr, flush=True)
    print(json.dumps({"engine": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(), "epochs": rows,
                      "n_train": n, "n_test": xte.shape[0],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
