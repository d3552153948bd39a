"""The spellbook's table of contents: the Grimoire's files, those running (app or kernel) marked."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from grimoire.ui import sourcefiles
from grimoire.ui.sourcefiles import SourceEntry

ALIVE = "✦"
"""The mark of a file whose module is loaded in the running app."""
ALIVE_IN_KERNEL = "✧"
"""The mark of a file whose module is loaded in the kernel, where the lessons' cells run."""
LEGEND = f"{ALIVE} alive in the app\n{ALIVE_IN_KERNEL} alive in the kernel"
"""What the marks mean, as the spellbook's legend says it."""


class SourceTree(Tree[SourceEntry]):
    """Folders and files of the Grimoire; selecting a file opens it in the viewer."""

    class KernelMarked(Message):
        """The kernel's modules are known now, and marked."""

    ICON_NODE = "▸ "
    ICON_NODE_EXPANDED = "▾ "

    DEFAULT_CSS = """
    SourceTree { background: $panel; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("the spellbook", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.alive: set[str] = set()
        self.alive_in_kernel: set[str] = set()

    def on_mount(self) -> None:
        self.rebuild()
        self.run_worker(self._ask_kernel(), group="kernel-modules", exclusive=True)
        self.watch(self.app, "theme", lambda _theme: self._relabel(self.root), init=False)

    def _relabel(self, node: TreeNode[SourceEntry]) -> None:
        """Labels carry theme colours, so a new theme paints them again."""
        for child in node.children:
            if child.data is not None:
                child.set_label(self._label(child.data))
            self._relabel(child)

    async def _ask_kernel(self) -> None:
        """Learn which modules the kernel has loaded, and mark them."""
        from grimoire.ui.kernel_client import kernel_client

        client = kernel_client(self.app)
        found = await client.kernel_modules()
        for _ in range(20):
            if found or not client.ready:
                break
            await asyncio.sleep(0.5)  # the kernel was busy with a cell: ask again
            found = await client.kernel_modules()
        if found != self.alive_in_kernel and self.is_attached:
            self.alive_in_kernel = found
            self._relabel(self.root)
            self.post_message(self.KernelMarked())

    def rebuild(self) -> None:
        """Read the files again and mark the ones alive right now."""
        from grimoire.ui.kernel_client import kernel_client

        self.alive = sourcefiles.alive_modules()
        self.alive_in_kernel = kernel_client(self.app).known_kernel_modules
        self.clear()
        self._add_entries(self.root, sourcefiles.top_entries(), depth=0)
        self.root.expand()

    def _add_entries(self, parent: TreeNode[SourceEntry], entries: list[SourceEntry],
                     depth: int) -> None:
        for entry in entries:
            if entry.is_dir:
                node = parent.add(self._label(entry), data=entry, expand=depth == 0
                                  and entry.shown == "grimoire")
                self._add_entries(node, sourcefiles.children(entry), depth + 1)
            else:
                parent.add_leaf(self._label(entry), data=entry)

    def _label(self, entry: SourceEntry) -> Text:
        name = entry.shown.rsplit("/", 1)[-1]
        if entry.is_dir:
            return Text(f"{name}/", style="bold")
        label = Text(name)
        module = sourcefiles.module_name(entry.shown)
        if module is not None and module in self.alive:
            label.append(f" {ALIVE}", style=self._alive_style())
        if module is not None and module in self.alive_in_kernel:
            label.append(f" {ALIVE_IN_KERNEL}", style=self._alive_style())
        return label

    def _alive_style(self) -> str:
        try:
            return self.app.get_css_variables().get("text-accent", "yellow")
        except Exception:  # noqa: BLE001 -- before the app exists there is no theme to follow
            return "yellow"

    def is_alive(self, shown: str) -> bool:
        """True when the file `shown` is a module loaded in this process."""
        module = sourcefiles.module_name(shown)
        return module is not None and module in self.alive

    def is_alive_in_kernel(self, shown: str) -> bool:
        """True when the file `shown` is a module loaded in the kernel process."""
        module = sourcefiles.module_name(shown)
        return module is not None and module in self.alive_in_kernel

    def reveal(self, shown: str) -> None:
        """Expand the folders down to `shown` and put the tree's cursor on it."""
        node = self._find(self.root, shown)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_to, node)

    def _move_to(self, node: TreeNode[SourceEntry]) -> None:
        if node.line >= 0:
            self.move_cursor(node)
            self.scroll_to_node(node, animate=False)

    def _find(self, node: TreeNode[SourceEntry], shown: str) -> TreeNode[SourceEntry] | None:
        for child in node.children:
            entry = child.data
            if entry is None:
                continue
            if entry.shown == shown:
                return child
            if entry.is_dir and shown.startswith(entry.shown + "/"):
                return self._find(child, shown)
        return None
