# Registers TF's resource-variable ops (VarHandleOp, ReadVariableOp, ...) whenever any op
# domain is imported, so GraphDefs/MetaGraphs written by TF 1.15+/2.x import.
from tensorweave.ops import resource_variable_ops  # noqa: F401
