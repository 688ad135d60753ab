"""Every sentence jitflux prints: reasons and help of findings, explain's text, code comments.

The analysis returns facts (placements, findings with cases, fluxions and evidence); this
package alone turns them into words, so that the JSON outputs carry both.
"""

from jitflux.words.common import NO_STREAM, arrow, function_label, names, q
from jitflux.words.reasons import help_text, package_of, reason

__all__ = [
    "NO_STREAM",
    "arrow",
    "function_label",
    "help_text",
    "names",
    "package_of",
    "q",
    "reason",
]
