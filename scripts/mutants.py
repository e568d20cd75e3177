"""Mutation testing of the graders: each graded exercise's solution, and another right answer to it (in
`other_answers.py`), changed in one place at a time, and graded.

A mutant is a right answer with one small change inside its ``### BEGIN SOLUTION`` region: an operator
swapped (``+`` for ``-``, ``<`` for ``<=``), a constant moved (``n + 1``, ``"same"`` for ``"valid"``), a keyword
or an argument dropped, two arguments or two statements swapped, one name read for another, a statement deleted,
a branch always or never taken, a layer skipped. Most mutants compute something else, and the grader must reject
them. A few compute the same (``padding="valid"`` on a 1x1 convolution) and are listed in `EQUIVALENT` with why.
A mutant the grader passes that is not listed there is a hole in the grader, and so is one it cannot finish grading
("please report this"): the script names it and exits 1.

    python scripts/mutants.py --out results/mutants.json   # every notebook (44 minutes on 2 cores)
    python scripts/mutants.py 07 12                        # notebooks 07 and 12 only, nothing written

The mutants are graded `CHUNK` to a process, with the notebook's import cell and the solution's answers to its other
exercises (ResNet50 calls the blocks).
"""

from __future__ import annotations

import argparse
import ast
import copy
import functools
import json
import os
import re
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from cnn_course.notebooks import contract
from cnn_course.notebooks.contract import SOLUTIONS
from cnn_course.notebooks.readme import report_figures

CHUNK = 60  # mutants graded per process
OTHER_ANSWERS = Path(__file__).with_name("other_answers.py")
OPERATORS = {ast.Add: (ast.Sub, ast.Mult), ast.Sub: (ast.Add,), ast.Mult: (ast.Div, ast.Add, ast.Pow),
             ast.Div: (ast.Mult, ast.FloorDiv), ast.FloorDiv: (ast.Div, ast.Mult), ast.Pow: (ast.Mult,),
             ast.Mod: (ast.FloorDiv,), ast.MatMult: (ast.Mult,)}
COMPARISONS = {ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt,),
               ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,), ast.In: (ast.NotIn,)}
ATTRIBUTES = {"mean": ("max", "sum", "median", "std"), "max": ("min", "mean"), "min": ("max",), "sum": ("mean",),
              "ReLU": ("ELU", "PReLU"), "BatchNormalization": ("LayerNormalization",),
              "GlobalAveragePooling2D": ("GlobalMaxPooling2D", "Flatten"), "Dropout": ("GaussianDropout",),
              "eigh": ("eig",), "normal": ("uniform", "laplace"), "Adam": ("RMSprop", "SGD"), "clip": ("minimum",),
              "stack": ("concatenate", "array"), "transpose": ("reshape",), "DepthwiseConv2D": ("Conv2D",),
              "Conv2D": ("DepthwiseConv2D", "SeparableConv2D"), "Add": ("Concatenate", "Multiply", "Average"),
              "Rescaling": ("Normalization",), "default_rng": ("RandomState",), "save": ("savez",),
              "cov": ("corrcoef",), "asarray": ("array",), "reshape": ("resize",),
              "MaxPooling2D": ("AveragePooling2D",)}
STRINGS = {"same": ("valid",), "valid": ("same",), "float32": ("uint8", "float16", "float64", "int32"),
           "softmax": ("sigmoid", "linear", "relu"), "relu": ("linear", "sigmoid"),
           "sparse_categorical_crossentropy": ("categorical_crossentropy",), "accuracy": ("mse",)}
# (exercise, a pattern of the mutant's description -- what changed: the line it changed, or the statement it deleted
# or moved -- and why that mutant computes what the solution computes)
EQUIVALENT = [
    (r".*", r"^(keyword padding dropped|'same' -> 'valid'|'valid' -> 'same'): \w+ = layers\.Conv2D\(.*"
            r"(\w, 1, |kernel_size=\(1, 1\)|, \(1, 1\))", "a 1x1 convolution pads nothing, at any stride"),
    (r".*", r"^keyword (verbose|batch_size) dropped: |^(64|0) -> (\S+): .*\b(batch_size|verbose)=\3[,)]",
     "the progress bar and the batch size leave what predict computes as it is"),
    (r".*", r"^asarray -> array: ", "np.array copies where np.asarray need not; the values are the same"),
    (r".*", r"^(keyword (strides|pool_size) dropped|last argument dropped|2 -> None): "
            r".*layers\.(Max|Average)Pooling2D\(",
     "Keras' default pool is 2x2, with strides of its size"),
    (r".*", r"^keyword axis dropped: \w+ = layers\.BatchNormalization\(\)\(",
     "axis 3 of a 4-D tensor is its last, Keras' default"),
    (r".*", r"^keyword axis dropped: return layers\.Concatenate\(\)\(", "Keras concatenates on the last axis"),
    (r"ten_crop|cache_features", r"^keyword axis dropped: (return|features =) np\.(stack|concatenate)\(\w+\)$",
     "NumPy stacks and concatenates on axis 0 by default"),
    (r"identity_block|LeNet5", r"^keyword strides dropped: \w+ = layers\.Conv2D\(",
     "the answer's strides were 1, Keras' default"),
    (r"convolutional_block", r"^keyword strides dropped: X = layers\.Conv2D\(F[23], ",
     "the answer's strides were 1, Keras' default"),
    (r"LeNet5", r"^keyword padding dropped: ", "the answer's padding was 'valid', Keras' default"),
    (r"ResNet50", r"^last argument dropped: (x|X) = layers\.ZeroPadding2D\(\)\((x|X)\)$",
     "Keras' default padding is one pixel"),
    (r"one_by_one_as_dense", r"^arguments swapped: out = np\.maximum\(|^Gt -> GtE: return np\.where\(z >= 0, z, 0\)",
     "max of two numbers in either order; at 0, z and 0 are the same"),
    (r"round_filters", r"^arguments swapped: \w+ = max\(|^divisor -> new: new = max\(new, new\)$|"
                       r"^statement (deleted|moved below the next): new = max\(new, divisor\)$",
     "max of two numbers in either order; without the floor, the 10% rule lifts 0 to one divisor"),
    (r"compound_scaling|round_filters", r"^statement deleted: import math$",
     "the notebook's import cell imports math already"),
    (r"conv_output_shape", r"^Div -> FloorDiv: return int\(math\.floor\(\(n - f \+ 2 \* p\) // s\)\) \+ 1$",
     "the floor of a quotient of whole numbers is their floor division"),
    (r"color_shift|pca_color_augmentation", r"^arguments swapped: .*np\.clip\(0(\.0)?, ",
     "np.clip(0, x, high) is min(max(0, x), high), as np.clip(x, 0, high) is"),
    (r"to_keras_kernel|cache_features|ten_crop", r"^2 -> -2: ", "a 4-D array's axis -2 is its axis 2"),
    (r"to_keras_kernel", r"^statement (deleted|moved below the next): weight = np\.asarray\(weight\)$",
     "np.moveaxis takes a nested list as it takes an array"),
    (r"ten_crop", r"^(c|s) -> crop_size: ", "the name is crop_size's"),
    (r"ten_crop", r"^stack -> array: ", "np.array of arrays of one shape stacks them"),
    (r"ten_crop|pca_color_augmentation", r"^statement (deleted|moved below the next): images = np\.asarray\(images",
     "the grader's batch is an array, and pca_color_augmentation's float32, already"),
    (r"pca_color_augmentation", r"^(last argument dropped: images = np\.asarray\(images\)|'float32' -> 'float64')",
     "the grader's batch is float32 already; in float64, the same shifts in more digits"),
    (r"pca_color_augmentation", r"^keyword dtype dropped: out = np\.empty\(np\.shape\(images\)\)$",
     "the same shifted pixels, held in float64"),
    (r"pca_color_augmentation", r"^False -> None: .*rowvar=None", "rowvar=None is false, as rowvar=False is"),
    (r"pca_color_augmentation", r"\(-2, 3\)", "NumPy infers a negative size, -2 as -1"),
    (r"pca_color_augmentation", r"^(Sub -> Add|left operand only|1 -> (-1|0|2)): covariance = centred\.T @ centred / "
                                r"\(?len\(pixels\)",
     "the covariance over n - 2 to n + 1 in place of n - 1: the text leaves the divisor free (np.cov's is n - 1), "
     "and over thousands of pixels the shifts move by a fraction of a percent"),
    (r"pca_color_augmentation", r"^(centred -> pixels: covariance = (centred\.T @ pixels|pixels\.T @ centred)|"
                                r"pixels -> centred: covariance = .*len\(centred\)|images -> out: for i in range\()",
     "centred pixels sum to zero, so either factor may be the uncentred pixels; the arrays have one length"),
    (r"pca_color_augmentation", r"^default_rng -> RandomState: ",
     "another generator, seeded alike: the same seed gives the same images, as the text asks"),
    (r"pca_color_augmentation", r"^eigh -> eig: ",
     "np.linalg.eig of a symmetric matrix gives its eigenvalues and eigenvectors, unsorted, which alphas drawn alike "
     "for each do not see"),
    (r"pca_color_augmentation", r"^Add -> Sub: \S+ = np\.clip\(images(\[i\])? - shifts?\b",
     "alpha_i ~ N(0, alpha_std) is symmetric: subtracting the shift draws the same distribution"),
    (r"color_shift", r"^('float32' -> 'float64'|last argument dropped: shifted = image\.astype\('float32'\) \+ np\.)",
     "the sum in float64 (or in the shifts' type, float once the float32 image is added), clipped and cast to the "
     "image's dtype alike"),
    (r"cache_features", r"^'float32' -> 'float64': |^last argument dropped: maps = base\.predict\(np\.asarray\(|"
                        r"^keyword dtype dropped: batch = np\.asarray\(",
     "dividing by 127.5 makes floats of any pixels; float64 pixels give the same features"),
    (r"cache_features|ensemble_predict", r"^keyword training dropped: |^False -> None: .*\(.*training=None\)",
     "a model called outside fit runs in inference mode unless told training=True"),
    (r"compile_classifier", r"^keyword from_logits dropped: |^False -> None: .*from_logits=None",
     "from_logits is false by default, and None is false"),
    (r"build_transfer_model|unfreeze_top", r"^False -> None: (base|layer)\.trainable = None",
     "Keras keeps bool(trainable): None freezes"),
    (r"build_transfer_model", r"^statement moved below the next: base\.trainable = False",
     "keras.Input reads the base's input shape, which freezing leaves as it is"),
    (r"build_transfer_model", r"^(statement (deleted|moved below the next): (for layer in base\.layers:|"
                              r"layer\.trainable = False)|False -> True: layer\.trainable = True|"
                              r"layer -> base: base\.trainable = False)$",
     "base.trainable = False, after the loop, freezes every layer of the base whatever the loop set"),
    (r"unfreeze_top", r"^statement moved below the next: (base\.trainable = True|for layer in base\.layers\[:cut\]:)$|"
                      r"^arguments swapped: cut = max\(0, |^0 -> -1: base = \[layer for layer in model\.layers",
     "the cut reads the number of layers, which unfreezing leaves as it is; the two loops freeze disjoint layers in "
     "either order; max in either order; the model holds one base"),
    (r"unfreeze_top", r"^0 -> 1: cut = max\(len\(base\.layers\) - n_layers, 1\)$",
     "the base's first layer is its input, which has no weights to freeze"),
    (r"unfreeze_top", r"^slice lower dropped: for layer in base\.layers\[:\]:$",
     "the batch normalizations below the cut are frozen already"),
    (r"identity_block|inverted_residual_block", r"^x -> (inputs|shortcut): x = layers\.Conv2D\(.*\(\1\)$",
     "the first layer reads the block's input under its other name"),
    (r"identity_block", r"^(x -> X_shortcut: X = layers\.Conv2D\(filters=F1, .*\(X_shortcut\)|"
                        r"X_shortcut -> x: X = layers\.Add\(\)\(\[X, x\]\))$",
     "X_shortcut is the block's input, x"),
    (r"inverted_residual_block", r"^(x -> shortcut: (h = shortcut|in_channels = .*)|"
                                 r"(h|x) -> (shortcut|x): h = layers\.Conv2D\(in_channels \* expansion, .*|"
                                 r"shortcut -> x: return layers\.Add\(\)\(\[x, h\]\) if use_residual else h)$",
     "shortcut and h are the block's input, x, until the first layer"),
]


def _changes(node, names: set[str], parameters: set[str]):
    """(description, replacement) for one node: a node, a list of statements, or [] to delete a statement."""
    if isinstance(node, ast.BinOp):
        yield from ((f"{type(node.op).__name__} -> {op.__name__}", ast.BinOp(node.left, op(), node.right))
                    for op in OPERATORS.get(type(node.op), ()))
        yield from (("left operand only", node.left), ("right operand only", node.right))
    elif isinstance(node, ast.AugAssign):
        yield from ((f"{type(node.op).__name__}= -> {op.__name__}=", ast.AugAssign(node.target, op(), node.value))
                    for op in OPERATORS.get(type(node.op), ()))
        yield "assigned, not updated", ast.Assign([node.target], node.value)
    elif isinstance(node, ast.Compare):
        yield from ((f"{type(node.ops[0]).__name__} -> {op.__name__}",
                     ast.Compare(node.left, [op(), *node.ops[1:]], node.comparators))
                    for op in COMPARISONS.get(type(node.ops[0]), ()))
        yield from (("comparison always True", ast.Constant(True)), ("comparison always False", ast.Constant(False)))
    elif isinstance(node, ast.BoolOp):
        yield "and/or swapped", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
        for i in range(len(node.values)):
            rest = node.values[:i] + node.values[i + 1:]
            yield f"operand {i} dropped", rest[0] if len(rest) == 1 else ast.BoolOp(node.op, rest)
    elif isinstance(node, ast.UnaryOp):
        yield "unary operator dropped", node.operand
    elif isinstance(node, ast.Constant):
        yield from ((f"{node.value!r} -> {value!r}", ast.Constant(value)) for value in _constants(node.value))
    elif isinstance(node, ast.Attribute):
        yield from ((f"{node.attr} -> {other}", ast.Attribute(node.value, other, node.ctx))
                    for other in ATTRIBUTES.get(node.attr, ()))
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
        yield from ((f"{node.id} -> {other}", ast.Name(other, ast.Load())) for other in sorted(names - {node.id}))
        if node.id in parameters:
            yield from ((f"{node.id} -> {value}", ast.Constant(value)) for value in (1, 2, 6, 0.5))
    elif isinstance(node, ast.Call):
        for i, keyword in enumerate(node.keywords):
            kept = node.keywords[:i] + node.keywords[i + 1:]
            yield f"keyword {keyword.arg} dropped", ast.Call(node.func, node.args, kept)
        if node.args:
            yield "last argument dropped", ast.Call(node.func, node.args[:-1], node.keywords)
        if len(node.args) >= 2:
            yield "arguments swapped", ast.Call(node.func, [node.args[1], node.args[0], *node.args[2:]], node.keywords)
        if len(node.args) == 1 and not node.keywords and isinstance(node.func, ast.Call):
            yield "layer skipped", node.args[0]
    elif isinstance(node, ast.Slice):
        for part in ("lower", "upper", "step"):
            if getattr(node, part) is not None:
                yield f"slice {part} dropped", ast.Slice(**{**vars(node), part: None})
    elif isinstance(node, ast.If):
        yield from (("branch always taken", node.body), ("condition negated", ast.If(
            ast.UnaryOp(ast.Not(), node.test), node.body, node.orelse)))
    elif isinstance(node, ast.IfExp):
        yield from (("always the first value", node.body), ("always the second value", node.orelse))
    if isinstance(node, ast.stmt) and not isinstance(node, ast.Return):
        yield "statement deleted", []


def _constants(value) -> list:
    if isinstance(value, bool):
        return [not value, None]
    if isinstance(value, (int, float)):
        moved = {value + 1, value - 1, 0, -value, value * 2} | ({value / 2, round(value)} if isinstance(value, float)
                                                               else set())
        return sorted(moved - {value}) + [None]
    return list(STRINGS.get(value, ())) if isinstance(value, str) else []


class _Replace(ast.NodeTransformer):
    """Puts `new` where `target` is: a node, or statements spliced into their body ([] deletes)."""

    def __init__(self, target, new):
        self.target, self.new = target, new

    def generic_visit(self, node):
        for field, old in ast.iter_fields(node):
            if isinstance(old, list):
                items = [part for item in old for part in (
                    (self.new if isinstance(self.new, list) else [self.new]) if item is self.target
                    else [self.visit(item) if isinstance(item, ast.AST) else item])]
                setattr(node, field, items or ([ast.Pass()] if field == "body" else []))
            elif old is self.target:
                setattr(node, field, self.new)
            elif isinstance(old, ast.AST):
                self.visit(old)
        return node


def mutants(source: str) -> list[tuple[str, str]]:
    """(description, source) of every distinct one-change mutant of the exercise cell's solution region."""
    lines = source.splitlines()
    first = next(i for i, line in enumerate(lines) if contract.BEGIN in line) + 1
    last = next(i for i, line in enumerate(lines) if contract.END in line) + 1
    tree = ast.parse(source)
    original = ast.unparse(tree)
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    parameters = {argument.arg for argument in function.args.args}
    names = parameters | {node.id for node in ast.walk(function) if isinstance(node, ast.Name)
                          and isinstance(node.ctx, ast.Store)}
    seen, found = {original}, []
    for index, node in enumerate(ast.walk(function)):
        inside = first <= getattr(node, "lineno", 0) <= last
        for what, new in [*(_changes(node, names, parameters) if inside else ()), *_swaps(node, first, last)]:
            changed = copy.deepcopy(tree)
            target = list(ast.walk(next(n for n in changed.body if isinstance(n, ast.FunctionDef))))[index]
            _Replace(target, copy.deepcopy(new)).visit(changed)
            try:
                text = ast.unparse(ast.fix_missing_locations(changed))
                with warnings.catch_warnings():
                    warnings.simplefilter("error")  # "'int' object is not callable": not an answer anyone writes
                    compile(text, "<mutant>", "exec")
            except (SyntaxError, SyntaxWarning, ValueError, TypeError, AttributeError):
                continue
            if text not in seen:
                seen.add(text)
                pairs = zip(original.splitlines(), text.splitlines())
                line = next((a if isinstance(new, list) or what.startswith("statement") else b for a, b in pairs
                             if a != b), "").strip()  # the statement deleted or moved, or the line changed
                found.append((f"{what}: {line}", text))
    return found


def _swaps(node, first: int, last: int):
    """A statement of the region swapped with the next one (the node whose body holds both is replaced whole), where
    one of the two reads or writes a name the other writes: swapping two that share none computes the same."""
    for field in ("body", "orelse"):
        body = getattr(node, field, None)
        for i in range(len(body) - 1 if isinstance(body, list) else 0):
            if first <= body[i].lineno and body[i + 1].lineno <= last and not isinstance(body[i + 1], ast.Return) \
                    and _written(body[i]) & _named(body[i + 1]) | _written(body[i + 1]) & _named(body[i]):
                swapped = copy.deepcopy(node)
                part = getattr(swapped, field)
                part[i], part[i + 1] = part[i + 1], part[i]
                yield "statement moved below the next", swapped


def _named(statement) -> set[str]:
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}


def _written(statement) -> set[str]:
    """The names a statement assigns, or whose attributes or items it sets (``base.trainable = False``)."""
    targets = [t for node in ast.walk(statement) if isinstance(node, (ast.Assign, ast.AugAssign, ast.For))
               for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}


def exercises(notebook: Path) -> list[tuple[str, str, str]]:
    """(exercise, its solution cell, the notebook's import cell) of every graded exercise of the notebook."""
    read = nbformat.read(notebook, as_version=4)
    cells = [cell.source for cell in read.cells if cell.cell_type == "code"]
    imports = next((source for source in cells if "from cnn_course.grading" in source), "")  # 03 has no exercise
    return [(name, next(source for source in cells if contract.defines(source, name) and contract.BEGIN in source),
             imports) for _, name in contract.exercises(read)]


@functools.cache
def other_answers() -> dict[str, str]:
    """Each exercise's other right answer: its function's source in `OTHER_ANSWERS`, down to the END marker."""
    lines = OTHER_ANSWERS.read_text().splitlines(keepends=True)
    return {node.name: "".join(lines[node.lineno - 1:next(i for i in range(node.lineno, len(lines))
                                                          if contract.END in lines[i]) + 1])
            for node in ast.parse("".join(lines)).body if isinstance(node, ast.FunctionDef)}


def answer_of(answers: list, exercise: str, answer: str) -> str:
    """The source of the exercise's `answer`: ``"solution"`` (its cell among the notebook's `answers`, as
    `exercises` reads them) or ``"other"``."""
    if answer == "other":
        return other_answers()[exercise]
    return next(source for name, source, _ in answers if name == exercise)


def grade_all(notebook: str, exercise: str, answer: str, start: int, stop: int) -> dict:
    """In this process: the exercise's `answer` and its mutants start to stop graded by the exercise's grader."""
    import keras

    os.chdir(SOLUTIONS)
    answers = exercises(SOLUTIONS / f"{notebook}.ipynb")
    namespace = {}
    exec(answers[0][2], namespace)
    for name, source, _ in answers:
        if name != exercise:  # a later exercise may call an earlier one
            exec(source, namespace)
    source = answer_of(answers, exercise, answer)

    def grade(text: str) -> tuple[bool, str]:
        scope = dict(namespace)
        exec(text, scope)
        keras.backend.clear_session()
        try:
            report = namespace[contract.grader_name(exercise)](scope[exercise])
        except Exception as error:  # a grader never raises: a hole of its own
            return True, f"the grader raised {type(error).__name__}"
        crashed = "please report this" in report.first_failure  # the grader's own failure, not the learner's mistake
        return report.passed or crashed, report.first_failure

    assert grade(source)[0], f"{exercise}: the {answer} fails its grader"
    survivors, changes = [], mutants(source)
    for what, text in changes[start:stop]:
        passed, failure = grade(text)
        if passed:
            survivors.append(f"{what} ({failure})" if failure else what)
    return {"mutants": len(changes), "survivors": survivors}


def triaged(exercise: str, survivors: list[str]) -> tuple[list, list]:
    """The survivors split into equivalent ones, each ``[survivor, why]`` (two alike lines give two alike
    survivors), and holes."""
    equivalent, holes = [], []
    for what in survivors:
        why = None if "please report this" in what else next(
            (why for name, line, why in EQUIVALENT if re.fullmatch(name, exercise) and re.search(line, what)), None)
        if why:
            equivalent.append([what, why])
        else:
            holes.append(what)
    return equivalent, holes


def graded(notebook: str, exercise: str, answer: str, start: int) -> dict:
    """`CHUNK` of an answer's mutants from `start`, graded in a fresh process (Keras' memory grows with each)."""
    done = subprocess.run([sys.executable, __file__, "--grade", notebook, exercise, answer, str(start),
                           str(start + CHUNK)],
                          capture_output=True, text=True,
                          env={**os.environ, "CNN_COURSE_QUICK": "1", "TF_CPP_MIN_LOG_LEVEL": "3"})
    if done.returncode:
        raise SystemExit(f"{notebook} {exercise} ({answer}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def summary(notebook: str, exercise: str, answer: str, chunks: list[dict]) -> dict:
    """An answer's figures: its mutants, how many its grader rejected, the equivalent survivors and the holes."""
    survivors = [what for chunk in chunks for what in chunk["survivors"]]
    equivalent, holes = triaged(exercise, survivors)
    return {"notebook": notebook, "exercise": exercise, "answer": answer, "mutants": chunks[0]["mutants"],
            "rejected": chunks[0]["mutants"] - len(survivors), "equivalent": equivalent, "holes": holes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook numbers, e.g. 07 12 (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", help="write the figures here as JSON")
    parser.add_argument("--triage", metavar="JSON", help="sort a recorded run's survivors again, after EQUIVALENT "
                                                          "changed, without grading (rewrites the file)")
    parser.add_argument("--grade", nargs=5, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.triage:
        figures = json.loads(Path(arguments.triage).read_text())
        for row in figures["exercises"]:
            survivors = [*(what for what, _ in row["equivalent"]), *row["holes"]]
            row["equivalent"], row["holes"] = triaged(row["exercise"], survivors)
        Path(arguments.triage).write_text(json.dumps(figures, indent=2) + "\n")
        return 1 if any(row["holes"] for row in figures["exercises"]) else 0
    if arguments.grade:
        notebook, exercise, answer, start, stop = arguments.grade
        print(json.dumps(grade_all(notebook, exercise, answer, int(start), int(stop))))
        return 0
    work = [(path.stem, name, answer, start) for path in sorted(SOLUTIONS.glob("*.ipynb"))
            if not arguments.notebooks or path.stem[:2] in arguments.notebooks for answers in [exercises(path)]
            for name, _, _ in answers for answer in ("solution", "other")
            for start in range(0, len(mutants(answer_of(answers, name, answer))), CHUNK)]
    began = time.time()
    with ThreadPoolExecutor(arguments.jobs) as pool:
        chunks = dict(zip(work, pool.map(lambda job: graded(*job), work)))
    figures = [summary(*seed, [chunk for job, chunk in chunks.items() if job[:3] == seed])
               for seed in dict.fromkeys(job[:3] for job in work)]
    for row in figures:
        print(f"{row['notebook'][:2]} {row['exercise']} ({row['answer']}): {row['mutants']} mutants, "
              f"{row['rejected']} rejected, {len(row['equivalent'])} equivalent, {len(row['holes'])} holes" +
              "".join(f"\n    hole: {what}" for what in row["holes"]))
    if arguments.out:
        report_figures({"exercises": figures, "seconds": round(time.time() - began), "jobs": arguments.jobs},
                       arguments.out)
    return 1 if any(row["holes"] for row in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
