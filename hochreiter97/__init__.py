"""hochreiter97: the original LSTM of Hochreiter & Schmidhuber (1997) and its truncated online learning rule."""
from .architecture import Architecture, init_weights
from .network import Network

__all__ = ["Architecture", "Network", "init_weights"]
