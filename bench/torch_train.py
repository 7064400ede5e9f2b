"""PyTorch peer for `npm run bench -- train`: one epoch of the same model on the same MNIST files.

Usage: python3 torch_train.py <mnist dir> <model: mlp-large | mlp | cnn> <batch> <epochs> [limit]
Prints one JSON line: samples/s of training (median epoch; data already in memory) and the
test accuracy after the first epoch.
Thread count comes from the environment (OMP_NUM_THREADS etc.), set by the caller.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def build(name):
    if name == "mlp-large":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    raise SystemExit(f"unknown model {name}")


def main():
    folder, name, batch, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else None
    torch.manual_seed(0)
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    xtr = read_idx(os.path.join(folder, "train-images-idx3-ubyte")).astype(np.float32) / 255
    ytr = read_idx(os.path.join(folder, "train-labels-idx1-ubyte")).astype(np.int64)
    xte = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte")).astype(np.float32) / 255
    yte = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte")).astype(np.int64)
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    shape = (-1, 1, 28, 28) if name == "cnn" else (-1, 784)
    xtr = torch.from_numpy(xtr.reshape(shape).copy())
    ytr = torch.from_numpy(ytr.copy())
    xte = torch.from_numpy(xte.reshape(shape).copy())
    yte = torch.from_numpy(yte.copy())
    model = build(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = xtr.shape[0]
    epoch_seconds = []
    accuracy = None
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
        if accuracy is None:
            accuracy = evaluate(model, xte, yte)
    mid = sorted(epoch_seconds)[len(epoch_seconds) // 2]
    print(json.dumps({
        "model": name, "threads": threads, "batch": batch, "epochs": epochs,
        "samples_per_s": n / mid, "epoch_seconds": epoch_seconds,
        "test_accuracy_after_1_epoch": accuracy, "torch": torch.__version__,
    }))


def evaluate(model, xte, yte):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, xte.shape[0], 1000):
            correct += (model(xte[i : i + 1000]).argmax(1) == yte[i : i + 1000]).sum().item()
    return correct / xte.shape[0]


if __name__ == "__main__":
    main()
