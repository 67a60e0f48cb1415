"""A qubit between a hot and a cold bosonic bath (Fogedby 2023, sec. III A).

Shows the user-facing API: build the model, its steady state and heat currents, a time
evolution from |e> in which J_A(t) and J_B(t) relax to +-q, and a scan over T_A compared
with the closed form (eq. 3.14). hbar = k_B = 1, energies in units of omega0.

    python examples/fogedby_qubit.py [--out DIR]     # writes DIR/fogedby_qubit.png
"""

import argparse
from pathlib import Path

import jax.numpy as jnp
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import qoj  # noqa: E402

qoj.set_precision("double")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
out = parser.parse_args().out
out.mkdir(parents=True, exist_ok=True)

# Model: H = omega0/2 sigma_z, coupled through sigma_x to two baths with flat J(w) = g.
omega0, g_A, g_B, T_B = 1.0, 0.05, 0.05, 0.5


def qubit(T_A):
    return qoj.models.QubitTwoBaths(
        omega0, qoj.Bath(qoj.spectra.Flat(g_A), T_A), qoj.Bath(qoj.spectra.Flat(g_B), T_B)
    )


model = qubit(2.0)
gen = model.generator()  # a qoj.Generator with parts "A" and "B"
rho_ss = qoj.steady_state(gen)
q = qoj.heat_currents(gen, rho_ss)  # {"A": ..., "B": ...}, energy flowing INTO the qubit
print(f"T_A = 2, T_B = {T_B}: steady populations (e, g) = {jnp.diag(rho_ss).real}")
print(f"  q^A = {q['A']:.6e}, q^B = {q['B']:.6e}, q^A + q^B = {q['A'] + q['B']:.1e}")
print(f"  closed form (eq. 3.14): q^A = {model.steady_heat_current():.6e}")

# Time evolution from the excited state |e> (index 0): both baths first absorb energy from the
# qubit (J < 0), then the currents relax to the steady values +-q^A.
ts = jnp.linspace(0.0, 40.0, 201)
sol = qoj.evolve(gen, qoj.ket2dm(qoj.basis(2, 0)), ts, observables={"sz": qoj.sigmaz()})
print(
    f"  J_A(t), J_B(t) at t = {ts[-1]:g}: {sol.heat_currents['A'][-1]:.6e}, "
    f"{sol.heat_currents['B'][-1]:.6e}"
)

# Scan over T_A (vmapped): numerics vs closed form.


def currents(T_A):
    m = qubit(T_A)
    g = m.generator()
    return {
        "numerics": qoj.heat_currents(g, qoj.steady_state(g))["A"],
        "closed_form": m.steady_heat_current(),
    }


ds = qoj.scan(currents, {"T_A": jnp.geomspace(0.05, 5.0, 60)}, progress=False)
err = float(abs(ds["numerics"] - ds["closed_form"]).max())
print(
    f"scan over {ds.sizes['T_A']} T_A: max |numerics - closed form| = {err:.1e}; "
    f"q^A changes sign at T_A = T_B = {T_B}"
)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
ax1.plot(ts, sol.heat_currents["A"], label=r"$J_A(t)$ (hot, $T_A = 2$)")
ax1.plot(ts, sol.heat_currents["B"], label=rf"$J_B(t)$ (cold, $T_B = {T_B}$)")
ax1.axhline(q["A"], color="C0", ls="--", lw=0.8, label="steady values")
ax1.axhline(q["B"], color="C1", ls="--", lw=0.8)
ax1.set(
    xlabel=r"time $t$ [$1/\omega_0$]",
    ylabel=r"heat current into the qubit [$\omega_0^2$]",
    title=r"relaxation from $|e\rangle$",
)
ax1.legend()
ax2.plot(ds["T_A"], ds["numerics"], "o", mfc="none", ms=4, label="steady_state + heat_currents")
ax2.plot(ds["T_A"], ds["closed_form"], "k--", lw=1, label="closed form, eq. (3.14)")
ax2.axhline(0.0, color="0.6", lw=0.6)
ax2.axvline(T_B, color="0.6", lw=0.6, ls=":")
ax2.set(
    xscale="log",
    xlabel=r"$T_A$ [$\omega_0$]",
    ylabel=r"steady $q^A$ [$\omega_0^2$]",
    title=rf"steady current vs $T_A$ ($T_B = {T_B}$, $g_A = g_B = {g_A}$)",
)
ax2.legend()
fig.suptitle(r"Qubit between two flat bosonic baths ($\omega_0 = 1$, $\hbar = k_B = 1$)")
path = out / "fogedby_qubit.png"
fig.savefig(path, dpi=110)
print(
    f"wrote {path}: left, J_A(t) and J_B(t) relaxing to +-q^A; right, q^A(T_A), numerics on "
    "the closed form"
)
