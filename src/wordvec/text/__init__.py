"""The text side: from raw files to encoded word ids.

``corpus`` (tokenizer, streaming readers) -> ``vocab`` (counts, pruning,
subsampling and noise tables, Huffman codes with ``huffman``) -> ``encoded``
(the corpus read once into int32 ids on disk, with the compiled byte scanner
``fastscan``). Nothing here knows about training.
"""
