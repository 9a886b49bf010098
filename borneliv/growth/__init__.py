"""Growth: reference tables (WHO 2006, WHO 2007, IOTF) and the classification engine.

``engine`` and ``references`` import no Django: researchers use them directly, e.g.
``borneliv.growth.engine.classify(frame)``; ``cli`` is ``borneliv growth classify``.
"""
