"""Frozen dataclasses that are quick to make.

Every result the engine gives is a tree of small frozen dataclasses, and a document makes dozens of them. The
`__init__` that `dataclasses` writes for a frozen class sets each field with its own `object.__setattr__` call
(the way around `frozen`), which on its own costs more than much of the engine's arithmetic. `quick_init`
replaces it with one that writes the fields straight into the new instance's `__dict__`: the same parameters,
defaults and `__post_init__` call, and the very same instance afterwards (equality, hash, repr and
`dataclasses.replace` are untouched).
"""

from __future__ import annotations

import dataclasses


def quick_init(cls: type) -> type:
    """Give the frozen dataclass `cls` a quicker `__init__` (see the module docstring); returns `cls`."""
    fields = dataclasses.fields(cls)
    if not cls.__dataclass_params__.frozen or hasattr(cls, "__slots__") or any(
            not f.init or f.default_factory is not dataclasses.MISSING for f in fields):
        raise TypeError(f"quick_init is for frozen dataclasses whose fields all come from __init__: {cls.__name__}")
    defaults = {f"_default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    signature = ", ".join(f.name if f"_default_{f.name}" not in defaults else f"{f.name}=_default_{f.name}"
                          for f in fields)
    body = ["    fields = self.__dict__"]
    body += [f"    fields[{f.name!r}] = {f.name}" for f in fields]
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    namespace = dict(defaults)
    exec(f"def __init__(self, {signature}):\n" + "\n".join(body), namespace)  # noqa: S102 - our own text
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls
