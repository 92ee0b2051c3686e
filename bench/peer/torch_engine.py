#!/usr/bin/env python3
"""PyTorch peer for bench/engine.ts: the same architectures (see src/main/engine/models/
architectures.ts), the same batch, the same thread count, timed the same way. A benchmark peer
only, never a dependency of the product. Prints one JSON object on stdout.

usage: torch_engine.py --threads N --batch 64 --iters 30 --warmup 5
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    """conv3x3(16)-relu-maxpool2-conv3x3(32)-relu-maxpool2-dense64-relu-dense10 (valid convs)."""
    def __init__(self, c=1, hw=28, classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(c, 16, 3)
        self.c2 = nn.Conv2d(16, 32, 3)
        s = ((hw - 2) // 2 - 2) // 2
        self.d1 = nn.Linear(32 * s * s, 64)
        self.d2 = nn.Linear(64, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.d2(F.relu(self.d1(torch.flatten(x, 1))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.ba = nn.BatchNorm2d(cout)
        self.b = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bb = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.ba(self.a(x)))
        y = self.bb(self.b(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class SmallResnet(nn.Module):
    """stem conv3x3(16)-BN-relu, stages 16/32/64 (one basic block each, stride 1/2/2), GAP, dense."""
    def __init__(self, c=1, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(c, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.s1 = Block(16, 16, 1)
        self.s2 = Block(16, 32, 2)
        self.s3 = Block(32, 64, 2)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.s3(self.s2(self.s1(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def median_ms(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(iters):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)


def bench(model, batch, iters, warmup):
    torch.manual_seed(0)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def forward():
        model.eval()
        with torch.no_grad():
            model(x)

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def input_grad():
        model.eval()
        xi = x.clone().requires_grad_(True)
        g, = torch.autograd.grad(F.cross_entropy(model(xi), y), xi)
        return g

    return {
        'forward_ms': median_ms(forward, iters, warmup),
        'train_step_ms': median_ms(train_step, iters, warmup),
        'input_grad_ms': median_ms(input_grad, iters, warmup),
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--iters', type=int, default=30)
    p.add_argument('--warmup', type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = {
        'peer': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'models': {
            'cnn': bench(SmallCnn(), a.batch, a.iters, a.warmup),
            'resnet': bench(SmallResnet(), a.batch, a.iters, a.warmup),
        },
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
