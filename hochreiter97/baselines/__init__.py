"""Baselines for comparison with the 1997 LSTM: numpy, float64, exact gradients.

    RNN          the conventional recurrent net of Table 2, trainer "rtrl" or "bptt"   rnn.py
    LSTMForget   LSTM with forget gate, tanh, full BPTT                              lstm_forget.py
    GRU          gated recurrent unit (Cho et al. 2014), full BPTT                   gru.py
    LSTM97Full   the 1997 LSTM with the untruncated gradient (full BPTT)             lstm97_full.py

Every one has the interface of Network (common.py states the error convention):

    net = RNN.build(n_in=5, n_out=5, hidden=1, seed=0)        # Table 2, p = 4: 36 weights
    net.n_weights, net.weights                               # dict of float64 arrays
    outputs = net.run(inputs)                                # (L, K), weights unchanged
    outputs = net.train(inputs, targets, mask, lr)           # one sequence, plain gradient descent
    dw = net.weight_changes(inputs, targets, mask, lr=1.0)   # lr * (-1/2 dE/dw), weights fixed

with E = sum over target steps of sum_k (t^k - y^k)^2 and e_k = f'(net_k)(t^k - y^k) (eq. 19),
so Delta w = -lr/2 dE/dw. RTRL changes the weights at every step with a target;
the BPTT trainers sum the changes over the sequence and apply them at its end.
"""
from .common import Baseline
from .gru import GRU
from .lstm97_full import LSTM97Full
from .lstm_forget import LSTMForget
from .rnn import RNN

__all__ = ["Baseline", "RNN", "LSTMForget", "GRU", "LSTM97Full"]
