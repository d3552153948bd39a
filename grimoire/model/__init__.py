"""The tiny language model, in numpy alone: tokenizer, GPT, gradients, training."""
