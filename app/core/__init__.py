"""Qt-free core: domain rules, store, sync, interop, analysis, map documents."""
