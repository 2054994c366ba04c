"""Label every line of raw page-text dumps, learning each site's templates.

dechaff labels each line of a page (one line per HTML block, as an
HTML-to-text step leaves it) as one of ``LABELS``: ``body``, ``navigation``,
``job_ad``, ``comment_policy``, ``advertisement`` or ``other``. Pages of one
site teach it the site's templates (menus, moderation rules, lines around a
variable slot, boilerplate regions); a page with no siblings is labelled by
multilingual cues and line features.

    >>> import dechaff
    >>> pages = [...]                      # str or bytes, pages of one site
    >>> model = dechaff.SiteModel.learn(pages)
    >>> labelled = model.label(pages[0])
    >>> labelled.body_text                 # the article
    >>> labelled.lines                     # [(label, start, end), ...]
    >>> dechaff.label("a lone page\\n")     # no siblings: cues and features

Every call that labels or learns releases the GIL; ``label_many`` and
``body_texts`` label a whole batch without it, on ``threads`` threads.
``dechaff.datatrove`` and ``dechaff.spark`` run dechaff on those engines.
"""

from dechaff._dechaff import *  # noqa: F403 (the names of its __all__)
from dechaff._dechaff import __all__ as __all__
