"""Measure how hard the fingers data set is: a linear model on raw pixels vs a small CNN.

The data set is calibrated so that it needs a CNN: logistic regression on raw pixels
must stay at or below 45 % test accuracy while an ordinary small CNN (four
conv-BN-ReLU-pool stages, Adam) reaches 90 % or more within 3 minutes on 2 CPU cores.

    python scripts/fingers_difficulty.py --out results/fingers_difficulty.json   # and updates the README
"""

from __future__ import annotations

import argparse
import time

from cnn_course import config, datasets
from cnn_course.models.baseline import SmallCNN
from cnn_course.notebooks.readme import report_figures


def logistic_regression_accuracy(train, test) -> tuple[float, float]:
    """Best test accuracy of L2 logistic regression on raw pixels over a grid of C."""
    from sklearn.linear_model import LogisticRegression

    (x_train, y_train), (x_test, y_test) = train, test
    flat = lambda x: x.reshape(len(x), -1) / 255.0  # noqa: E731
    best = (0.0, None)
    for c in (1e-3, 1e-2, 1e-1, 1.0):
        clf = LogisticRegression(C=c, max_iter=2000).fit(flat(x_train), y_train)
        best = max(best, (clf.score(flat(x_test), y_test), c), key=lambda t: t[0])
    return best


def small_cnn_accuracy(train, test, epochs: int, seed: int) -> tuple[float, float, list[float]]:
    """Train `SmallCNN` with Adam; return test accuracy, seconds, and test accuracy per epoch."""
    import keras

    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = train, test
    model = SmallCNN()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test),
                        verbose=2)
    seconds = time.perf_counter() - start
    return model.evaluate(x_test, y_test, verbose=0)[1], seconds, history.history["val_accuracy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args()
    config.setup(seed=args.seed, verbose=False)
    start = time.perf_counter()
    train, test = datasets.load("fingers", cache=False)
    generation = time.perf_counter() - start
    lr_accuracy, lr_c = logistic_regression_accuracy(train, test)
    cnn_accuracy, cnn_seconds, curve = small_cnn_accuracy(train, test, args.epochs, args.seed)
    figures = {"train_images": len(train[0]), "test_images": len(test[0]), "generation_seconds": round(generation, 1),
               "logistic_regression_test_accuracy": round(lr_accuracy, 4), "logistic_regression_C": lr_c,
               "small_cnn_test_accuracy": round(cnn_accuracy, 4), "small_cnn_train_seconds": round(cnn_seconds, 1),
               "small_cnn_epochs": args.epochs, "small_cnn_test_accuracy_per_epoch": [round(a, 4) for a in curve]}
    report_figures(figures, args.out)


if __name__ == "__main__":
    main()
