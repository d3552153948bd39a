"""The lesson kernel keeps the memory its arrays free, so a forward pass does not page-fault."""

from grimoire.course.kernel import Kernel

FORWARDS = """
import resource
ids = model.encode(("def forward(self, ids):\\n    return x\\n" * 5)[:128])
for _ in range(3):
    model.forward(ids)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    model.forward(ids)
(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20
"""


def test_a_forward_pass_in_the_kernel_reuses_freed_memory():
    kernel = Kernel()
    kernel.start()
    try:
        faults = float(kernel.run(FORWARDS, timeout=60).value)
    finally:
        kernel.close()
    # glibc's default hands each freed array back to the system: hundreds of faults a forward
    assert faults < 5, f"{faults} page faults a forward"
