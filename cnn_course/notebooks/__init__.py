"""Notebook tooling: the contract every course notebook follows (`contract`), the build of the
learners' copies (`build`), running a notebook headless (`run`), grading a whole notebook
(`grade`), measuring every notebook (`benchmark`) and rendering the README's tables (`readme`)."""
