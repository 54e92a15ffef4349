"""micrograd's moons program on micrograd and on course_engine, timed side by side.

Two moons (100 points, noise 0.1), MLP(2, [16, 16, 1]) with relu, max-margin
loss plus L2 (alpha 1e-4), 100 full-batch SGD steps with lr = 1.0 - 0.9 k/100:
micrograd's demo program, run on
  - micrograd (the PyPI package, `pip install micrograd==0.1.0`),
  - course_engine with micrograd's graph shape: built from `+`, `*` and `relu`
    only, one node per operation, no fused `weighted_sum` ("unfused"),
  - course_engine as the course ships it (one fused node per neuron's sum),
  - hand-written numpy (forward and backward by hand),
all from the same data and the same initial weights. Prints each one's time
(this process's CPU time, so that other programs on the machine count less;
wall-clock beside it), its speedup over micrograd, and how far its losses are
from micrograd's.

Target (issue 12): course_engine with micrograd's graph shape at least 6x faster
than micrograd 0.1.0, with the same losses.

Each run is a fresh Python process. `--repeats N` runs every engine N times, in
turn (so that whatever else the machine does hits all of them alike), and shows
the fastest run of each and the spread (slowest / fastest). micrograd takes about
three minutes of CPU per run; `--steps 10` is a quick look.

    .venv/bin/python benchmarks/bench_moons.py [--steps 100] [--repeats 1] [--skip-micrograd]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
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


TARGET = 6.0  # unfused course_engine vs micrograd 0.1.0
MICROGRAD, UNFUSED = "micrograd 0.1.0", "course_engine, unfused"
ENGINES = [MICROGRAD, UNFUSED, "course_engine", "numpy by hand"]


def run_engine(name: str, X, y, steps: int) -> list[float]:
    """The program on one engine; its losses."""
    if name == "numpy by hand":
        return [float(loss) for loss in train_numpy(X, y, steps)]
    if name == MICROGRAD:
        from micrograd.engine import Value as MicrogradValue
        from micrograd.nn import MLP as MicrogradMLP

        model_type, value_type = MicrogradMLP, MicrogradValue
    else:
        model_type, value_type = (UnfusedNeuronMLP if name == UNFUSED else MLP), Value
    random.seed(SEED)
    return train_scalar(model_type(2, SIZES), value_type, X.tolist(), y.tolist(), steps)


def timed_in_a_fresh_process(name: str, steps: int):
    """(cpu seconds, wall seconds, losses) of one engine's run, in a Python process of its
    own: no engine pays for another's garbage or leaves it a fragmented heap (micrograd's
    cycles made the next engine here up to 2x slower when they shared a process)."""
    command = [sys.executable, __file__, "--engine", name, "--steps", str(steps)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def measure(name: str, steps: int):
    """What timed_in_a_fresh_process reads: this process's CPU time, wall time, losses."""
    X, y = make_moons(100, noise=0.1, seed=SEED)
    cpu, wall = time.process_time(), time.perf_counter()
    losses = run_engine(name, X, y, steps)
    return time.process_time() - cpu, time.perf_counter() - wall, losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each engine, in turn")
    parser.add_argument("--skip-micrograd", action="store_true")
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)  # one run, for main
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(measure(args.engine, args.steps)))
        return

    engines = list(ENGINES)
    if args.skip_micrograd:
        engines.remove(MICROGRAD)
    elif importlib.util.find_spec("micrograd") is None:
        print("micrograd is not installed (.venv/bin/pip install micrograd==0.1.0): its row is left out\n")
        engines.remove(MICROGRAD)
    runs = {name: [] for name in engines}
    for _ in range(args.repeats):  # in turn: whatever else the machine does hits all of them alike
        for name in engines:
            runs[name].append(timed_in_a_fresh_process(name, args.steps))

    reference = MICROGRAD if MICROGRAD in runs else UNFUSED
    best = {name: min(cpu for cpu, _, _ in timings) for name, timings in runs.items()}
    reference_losses = np.array(runs[reference][0][2])
    print(
        f"two moons, MLP(2, {SIZES}), {args.steps} steps, 100 points; each run in a fresh process, "
        f"fastest of {args.repeats} by CPU time"
    )
    header = (
        f"{'engine':<24}{'cpu s':>10}{'spread':>8}{'wall s':>10}{'faster than ' + reference:>36}"
        f"{'final loss':>12}{'max |loss diff|':>17}"
    )
    print(header)
    print("-" * len(header))
    for name, timings in runs.items():
        cpus = [cpu for cpu, _, _ in timings]
        wall = min(wall for _, wall, _ in timings)
        losses = np.array(timings[0][2])
        diff = float(np.max(np.abs(losses - reference_losses)))
        print(
            f"{name:<24}{best[name]:>10.3f}{max(cpus) / best[name]:>7.2f}x{wall:>10.3f}"
            f"{best[reference] / best[name]:>35.2f}x{losses[-1]:>12.6f}{diff:>17.2e}"
        )
    print("(spread: slowest / fastest run of that engine)")
    if reference == MICROGRAD:
        speedups = sorted(micro / ours for (micro, _, _), (ours, _, _) in zip(runs[MICROGRAD], runs[UNFUSED]))
        same = float(np.max(np.abs(np.array(runs[UNFUSED][0][2]) - reference_losses))) < 1e-9
        verdict = "met" if best[MICROGRAD] / best[UNFUSED] >= TARGET and same else "NOT MET"
        print()
        print(
            f"micrograd / course_engine with micrograd's graph shape: {best[MICROGRAD] / best[UNFUSED]:.2f}x "
            f"(fastest runs; run by run {speedups[0]:.2f}x to {speedups[-1]:.2f}x) "
            f"(target: at least {TARGET:g}x, same losses) -> {verdict}"
        )


if __name__ == "__main__":
    main()
