"""OpenSystem and Coupling validation."""

import numpy as np
import pytest

import qoj


def test_coupling_and_system_validation():
    bath = qoj.Bath(qoj.spectra.Flat(0.1), 1.0)
    c = qoj.Coupling("A", qoj.sigmax(), bath, local_hamiltonian=0.5 * qoj.sigmaz())
    system = qoj.OpenSystem(0.5 * qoj.sigmaz(), [c])
    assert system.dimension == 2
    with pytest.raises(ValueError, match="operator of coupling 'A' must be Hermitian"):
        qoj.Coupling("A", qoj.sigmam(), bath)
    with pytest.raises(ValueError, match="unique"):
        qoj.OpenSystem(qoj.sigmaz(), [c, c])
    with pytest.raises(ValueError, match="dimension"):
        qoj.OpenSystem(np.eye(3), [c])
    with pytest.raises(ValueError, match="local_hamiltonian"):
        qoj.Coupling("B", qoj.sigmax(), bath, local_hamiltonian=np.eye(3))
