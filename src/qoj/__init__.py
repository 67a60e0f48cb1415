"""qoj: JAX-accelerated, differentiable open quantum systems and quantum thermodynamics.

Conventions: hbar = k_B = 1; qubit basis index 0 = |e> (sigma_z = +1), index 1 = |g>;
`kron(A, B)` puts part 1 first; a spectral density J(w) is the zero-temperature emission rate
of a unit coupling operator; a heat current J_b is energy flowing from bath b into the system.
Importing qoj changes no global JAX setting: call `qoj.set_precision("double")` for float64.
"""

import importlib.metadata

from . import (
    fermionic as fermionic,
    gaussian as gaussian,
    measures as measures,
    models as models,
    nonmarkov as nonmarkov,
    prethermal as prethermal,
    spectra as spectra,
)
from ._bath import Bath as Bath
from ._cascaded import CascadeTerm as CascadeTerm, cascaded as cascaded
from ._currents import (
    entropy_production as entropy_production,
    heat_currents as heat_currents,
    particle_currents as particle_currents,
)
from ._evolve import Propagator as Propagator, Solution as Solution, evolve as evolve
from ._generator import Generator as Generator, GeneratorPart as GeneratorPart, lindblad as lindblad
from ._master_equation import (
    AbstractMasterEquation as AbstractMasterEquation,
    CoarseGrainedMasterEquation as CoarseGrainedMasterEquation,
    GlobalMasterEquation as GlobalMasterEquation,
    LocalMasterEquation as LocalMasterEquation,
    PartialSecularMasterEquation as PartialSecularMasterEquation,
    RedfieldMasterEquation as RedfieldMasterEquation,
    master_equation as master_equation,
)
from ._mesolve import mesolve as mesolve
from ._nonequilibrium import NonEquilibriumBath as NonEquilibriumBath
from ._operators import (
    basis as basis,
    create as create,
    destroy as destroy,
    embed as embed,
    fermion_ops as fermion_ops,
    identity as identity,
    ket2dm as ket2dm,
    kron as kron,
    number as number,
    sigmam as sigmam,
    sigmap as sigmap,
    sigmax as sigmax,
    sigmay as sigmay,
    sigmaz as sigmaz,
)
from ._optimize import (
    AbstractConstraint as AbstractConstraint,
    Box as Box,
    OptimizeResult as OptimizeResult,
    Positive as Positive,
    optimize as optimize,
)
from ._precision import set_precision as set_precision
from ._release import (
    cascade_release_time as cascade_release_time,
    qubit_release_time as qubit_release_time,
    release_time as release_time,
)
from ._scan import scan as scan
from ._states import expect as expect, gibbs as gibbs, partial_trace as partial_trace
from ._steady import steady_state as steady_state
from ._system import Coupling as Coupling, OpenSystem as OpenSystem
from ._terms import (
    AbstractTerm as AbstractTerm,
    HamiltonianTerm as HamiltonianTerm,
    JumpTerm as JumpTerm,
    KossakowskiTerm as KossakowskiTerm,
)

__version__ = importlib.metadata.version("qoj")
