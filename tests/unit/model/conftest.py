"""The model's tests run as the lesson kernel and training do: keeping the memory arrays free."""

from grimoire.model.memory import keep_freed_memory

keep_freed_memory(up_to=256 << 20)
