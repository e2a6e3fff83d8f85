"""skip.py: a test that cannot apply yet says so by raising Skip; tests/run.py counts it as
skipped, neither passed nor failed. Used by the walkthrough's exercises
(tests/system/test_exercises.py): skipped until the student starts the exercise."""


class Skip(Exception):
    pass
