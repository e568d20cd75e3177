"""The graders the notebooks call: ``check_<exercise>(answer)`` returns a `Report`.

The graders of notebook ``NN_topic`` live in ``cnn_course.grading.topic`` (e.g. notebook 02's in
`residual_networks`), each a *description* handed to one of four engines:

- `formula`: numbers from numbers (an output size, a count of multiplications, a rounded channel count);
- `array`: an array transform (a 1x1 convolution in NumPy, a kernel's layout, a colour shift, the 10-crop);
- `block`: a block on a Keras tensor, read by role (`paths`) against the package's own block;
- `builder`: a whole model against the package's builder.

What they share: `report` (the Report that never raises, the time limit), `answer_key` (every function of the
package and of keras.applications out of reach while the answer runs, found mechanically), `vocabulary` (one
reading of layers: activations by what they compute), `mistakes` (one named-mistake lookup) and `compare` (same
outputs as the reference on identical weights). A few exercises are graded by hand-written checks where no shape
fits: `compile_classifier` and `unfreeze_top` (`compiled`), `cache_features`, `pca_color_augmentation`.
"""

from cnn_course.grading.report import Report, grader

__all__ = ["Report", "grader"]
