"""dlm_site: the build machinery of the DLM blog.

``publish`` is what snippets import; ``directives``, ``runner``, ``cache``, ``render`` and
``notebook`` are pure modules; ``plugin`` is the thin MkDocs glue (the ``snippets`` plugin).
Importing this package imports none of them, so a snippet's ``from dlm_site import publish``
stays light.
"""
