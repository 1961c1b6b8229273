//! Which code draws a dump's whole lines: AVX-512 where this CPU has it,
//! portable Rust everywhere (`--hex-renderer`, NETPLAY_HEX_RENDERER).

#[cfg(target_arch = "x86_64")]
use super::avx512;

/// The code that draws whole lines. Both draw the same bytes; they differ
/// only in speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Renderer {
    /// Portable Rust, on every CPU.
    Portable,
    /// AVX-512 with VBMI and VBMI2 (x86-64: Intel Ice Lake, AMD Zen 4 and
    /// later).
    Avx512,
}

impl Renderer {
    #[cfg(test)]
    pub(crate) const ALL: [Renderer; 2] = [Renderer::Avx512, Renderer::Portable];

    /// The name benchmarks and `--hex-renderer` use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Renderer::Portable => "portable",
            Renderer::Avx512 => "avx512",
        }
    }

    /// Whether this CPU runs it.
    pub(crate) fn available(self) -> bool {
        match self {
            Renderer::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Renderer::Avx512 => avx512::detect().is_some(),
            #[cfg(not(target_arch = "x86_64"))]
            Renderer::Avx512 => false,
        }
    }

    /// The renderer [`Dumper::new`] takes: the fastest this CPU runs.
    pub(crate) fn best() -> Renderer {
        Renderer::choose(Renderer::Avx512.available())
    }

    /// The rule behind [`best`](Self::best), from measurements on both CPU
    /// families we ran (docs/benchmarks.md): where a CPU has AVX-512 VBMI2,
    /// the vector renderer was the faster at every width, on random bytes
    /// and on text, coloured or not. On an Intel Xeon it took 1.8 to 3.7
    /// times less CPU time than the portable one; on an AMD EPYC, the
    /// vector renderer before this one took 1.5 to 2.2 times less time.
    pub(crate) fn choose(avx512: bool) -> Renderer {
        if avx512 { Renderer::Avx512 } else { Renderer::Portable }
    }
}
