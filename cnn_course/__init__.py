"""cnn_course: the package the course's notebooks import (see the README's map of its floors).

Importing it turns TensorFlow's oneDNN CPU kernels on where TensorFlow would leave them off
(`config.enable_fast_cpu_kernels`), before anything imports TensorFlow.
"""

from cnn_course.config import enable_fast_cpu_kernels

enable_fast_cpu_kernels()
