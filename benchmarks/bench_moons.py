"""The course's heaviest cell, timed on three engines side by side.

Two moons (100 points, noise 0.1), MLP(2, [16, 16, 1]) with relu, max-margin
loss plus L2 (alpha 1e-4), 100 full-batch SGD steps with lr = 1.0 - 0.9 k/100:
micrograd's demo program, run on
  - micrograd (the PyPI package, `pip install micrograd==0.1.0`),
  - course_engine, as the course ships it (one fused node per neuron's sum),
  - course_engine with micrograd's graph shape (one node per + and *),
  - hand-written numpy (forward and backward by hand),
all from the same data and the same initial weights. Prints each one's time,
its ratio to course_engine, and how far its losses are from micrograd's.

    .venv/bin/python benchmarks/bench_moons.py [--steps 100] [--skip-micrograd]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_engine import MLP, Value  # noqa: E402
from course_engine.datasets import make_moons  # noqa: E402

SEED = 1337
ALPHA = 1e-4
SIZES = [16, 16, 1]


def learning_rate(k: int, steps: int) -> float:
    return 1.0 - 0.9 * k / steps


def train_scalar(model, value_type, X, y, steps):
    """micrograd's demo loop, written once for any Value-like engine."""
    losses = []
    for k in range(steps):
        inputs = [list(map(value_type, row)) for row in X]
        scores = list(map(model, inputs))
        margins = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(margins) * (1.0 / len(margins))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        lr = learning_rate(k, steps)
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(total.data)
    return losses


class UnfusedNeuronMLP(MLP):
    """course_engine's MLP, but each neuron sums w*x with chained + and *."""

    def __call__(self, x):
        for layer in self.layers:
            outs = []
            for n in layer.neurons:
                z = sum((wi * xi for wi, xi in zip(n.w, x)), n.b)
                outs.append(z if n._apply is None else n._apply(z))
            x = outs
        return x[0] if len(x) == 1 else x


def initial_weights():
    """The weights every engine starts from: micrograd's draw order under SEED."""
    random.seed(SEED)
    model = MLP(2, SIZES)
    return [
        (
            np.array([[w.data for w in n.w] for n in layer.neurons]),
            np.array([n.b.data for n in layer.neurons]),
        )
        for layer in model.layers
    ]


def train_numpy(X, y, steps):
    params = [(W.copy(), b.copy()) for W, b in initial_weights()]
    n = len(y)
    losses = []
    for k in range(steps):
        # forward, keeping each layer's input and pre-activation
        activations, pre = [X], []
        for i, (W, b) in enumerate(params):
            z = activations[-1] @ W.T + b
            pre.append(z)
            activations.append(z if i == len(params) - 1 else np.maximum(z, 0.0))
        scores = activations[-1][:, 0]
        margins = 1.0 - y * scores
        data_loss = np.maximum(margins, 0.0).mean()
        reg_loss = ALPHA * sum((W * W).sum() + (b * b).sum() for W, b in params)
        losses.append(data_loss + reg_loss)
        # backward
        grad = (-(y * (margins > 0)) / n)[:, None]
        grads = []
        for i in reversed(range(len(params))):
            W, b = params[i]
            if i != len(params) - 1:
                grad = grad * (pre[i] > 0)
            grads.append((grad.T @ activations[i] + 2 * ALPHA * W, grad.sum(0) + 2 * ALPHA * b))
            grad = grad @ W
        lr = learning_rate(k, steps)
        for (W, b), (dW, db) in zip(params, reversed(grads)):
            W -= lr * dW
            b -= lr * db
    return losses


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--skip-micrograd", action="store_true")
    args = parser.parse_args()
    X, y = make_moons(100, noise=0.1, seed=SEED)
    Xl, yl = X.tolist(), y.tolist()

    runs = {}

    def course_engine_run(model_type):
        def run():
            random.seed(SEED)
            return train_scalar(model_type(2, SIZES), Value, Xl, yl, args.steps)

        return run

    if not args.skip_micrograd:
        try:
            from micrograd.engine import Value as MicrogradValue
            from micrograd.nn import MLP as MicrogradMLP
        except ImportError:
            print("micrograd is not installed: .venv/bin/pip install micrograd==0.1.0")
        else:

            def micrograd_run():
                random.seed(SEED)
                return train_scalar(MicrogradMLP(2, SIZES), MicrogradValue, Xl, yl, args.steps)

            runs["micrograd 0.1.0"] = timed(micrograd_run)
    runs["course_engine"] = timed(course_engine_run(MLP))
    runs["course_engine, unfused"] = timed(course_engine_run(UnfusedNeuronMLP))
    runs["numpy by hand"] = timed(lambda: train_numpy(X, y, args.steps))

    reference_name = "micrograd 0.1.0" if "micrograd 0.1.0" in runs else "course_engine"
    reference = np.array(runs[reference_name][1])
    ours = runs["course_engine"][0]
    print(f"two moons, MLP(2, {SIZES}), {args.steps} steps, 100 points")
    print(
        f"{'engine':<24}{'seconds':>10}{'vs course_engine':>18}{'final loss':>14}"
        f"{'max |loss diff| vs ' + reference_name:>36}"
    )
    for name, (seconds, losses) in runs.items():
        diff = float(np.max(np.abs(np.array(losses) - reference)))
        print(f"{name:<24}{seconds:>10.3f}{seconds / ours:>17.2f}x{losses[-1]:>14.6f}{diff:>36.2e}")
    if "micrograd 0.1.0" in runs:
        speedup = runs["micrograd 0.1.0"][0] / ours
        print(f"course_engine is {speedup:.1f}x faster than micrograd on the same program")


if __name__ == "__main__":
    main()
