"""`make demo`: train the two-moons MLP and save its pictures under out/."""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .plotting import plot_decision_boundary, plot_loss  # noqa: E402
from .training import train_moons  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the two-moons MLP with course_engine.")
    parser.add_argument("--out", default="out", help="folder for the PNG files (default: out)")
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    print(f"Training MLP(2, [16, 16, 1]) on two moons for {args.steps} steps")
    model, X, y, history = train_moons(steps=args.steps)
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {history.accuracy[-1]:.0%}")

    fig, ax = plt.subplots(figsize=(6, 4))
    plot_loss(history.loss, ax=ax, title="two moons: training loss")
    loss_png = out / "moons_loss.png"
    fig.savefig(loss_png, dpi=120, bbox_inches="tight")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 5))
    plot_decision_boundary(model, X, y, ax=ax, title="two moons: decision boundary")
    boundary_png = out / "moons_boundary.png"
    fig.savefig(boundary_png, dpi=120, bbox_inches="tight")
    plt.close(fig)

    print(f"saved {loss_png.resolve()}")
    print(f"saved {boundary_png.resolve()}")


if __name__ == "__main__":
    main()
