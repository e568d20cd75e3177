"""scripts/mutants.py: the one-change mutants it makes of a right answer (the solution's, or the other one in
scripts/other_answers.py), and how it sorts the ones a grader passes into equivalent ones and holes."""

import ast
import importlib.util

from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import contract

_spec = importlib.util.spec_from_file_location("mutants", REPO_ROOT / "scripts" / "mutants.py")
mutants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutants)

CELL = '''def scaled(x, factor=2):
    """A docstring, left alone."""
    total = 0
    ### BEGIN SOLUTION
    total = x * factor
    if total > 10:
        total -= 1
    ### END SOLUTION
    return total
'''


def test_each_mutant_makes_one_change_inside_the_solution_region():
    made = dict(mutants.mutants(CELL))
    for description in ("Mult -> Div: total = x / factor", "statement deleted: total = x * factor",
                        "branch always taken: if total > 10:", "Gt -> GtE: if total >= 10:",
                        "10 -> 11: if total > 11:", "Sub= -> Add=: total += 1",
                        "statement moved below the next: total = x * factor"):
        assert description in made, description
    assert all("    total = 0\n" in source and '"""A docstring, left alone."""' in source for source in made.values())
    assert len(set(made.values())) == len(made) and all(compile(source, "m", "exec") for source in made.values())


def test_a_swap_of_statements_that_share_no_name_is_no_mutant():
    cell = CELL.replace("    total = x * factor\n", "    total = x * factor\n    other = factor\n")
    assert not any("other = factor" in description for description, _ in mutants.mutants(cell)
                   if description.startswith("statement moved"))


def test_a_survivor_is_equivalent_only_by_a_listed_reason():
    pointwise = "'same' -> 'valid': x = layers.Conv2D(filters, 1, padding='valid', use_bias=False)(x)"
    depthwise = "'same' -> 'valid': x = layers.DepthwiseConv2D(3, strides=stride, padding='valid', use_bias=False)(x)"
    equivalent, holes = mutants.triaged("depthwise_separable_conv", [pointwise, depthwise])
    assert equivalent == [[pointwise, "a 1x1 convolution pads nothing, at any stride"]] and holes == [depthwise]
    assert mutants.triaged("round_filters", ["c -> crop_size: x = c"]) == ([], ["c -> crop_size: x = c"])
    crashed = f"{pointwise} (the grader could not finish (RecursionError: ...); please report this with your code)"
    assert mutants.triaged("depthwise_separable_conv", [crashed]) == ([], [crashed])


def test_every_exercise_has_another_right_answer_with_its_signature_and_not_the_solutions_code():
    others = mutants.other_answers()
    for path in sorted(contract.SOLUTIONS.glob("*.ipynb")):
        for name, solution, _ in mutants.exercises(path):
            other = others.pop(name)
            assert other.rstrip().endswith(contract.END) and mutants.mutants(other), name
            signature, theirs = (next(node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef))
                                 for text in (solution, other))
            assert ast.dump(signature.args) == ast.dump(theirs.args), name
            assert ast.dump(ast.Module(signature.body, [])) != ast.dump(ast.Module(theirs.body, [])), name
    assert not others, f"answers to no exercise: {sorted(others)}"
