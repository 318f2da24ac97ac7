"""Training: settings, objectives, the engine and the estimators built on it.

``config`` owns every word2vec setting; ``engine`` runs epochs over chunks of
an encoded corpus into weights it is given (``kernels`` is its compiled inner
loop); ``word2vec`` is the estimator that holds the policy; ``checkpoint``
saves and restores a run from above the engine; ``counting`` is the
count-based PPMI-SVD estimator; ``reference`` holds the tutorials' NumPy
full-softmax models.
"""
