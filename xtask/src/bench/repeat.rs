//! Repeating each figure: the order in which the two servers are loaded (alternating, so that
//! a machine that gets busier or quieter during the run moves both sides alike), and the
//! median and spread of the ratios of each pair of runs.

/// Which server one run of a figure loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The reference server (`shared/perf/ceiling`).
    Reference,
    /// Our server.
    Ours,
}

impl Side {
    /// The name printed for the server.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Ours => "ours",
        }
    }

    /// The other server.
    pub(crate) fn other(self) -> Self {
        match self {
            Self::Reference => Self::Ours,
            Self::Ours => Self::Reference,
        }
    }
}

/// The runs of one figure, in order: `rounds` pairs of reference then ours (`ref, ours, ref,
/// ours, ...`), or `rounds` runs of ours alone when there is no reference.
pub(crate) fn schedule(rounds: u32, with_reference: bool) -> Vec<Side> {
    let pair: &[Side] = if with_reference {
        &[Side::Reference, Side::Ours]
    } else {
        &[Side::Ours]
    };
    (0..rounds).flat_map(|_| pair.iter().copied()).collect()
}

/// The median of `values`: the middle one, or the mean of the two middle ones for an even
/// count; `None` when there are none. NaNs sort last.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if !n.is_multiple_of(2) => Some(sorted[mid]),
        _ => Some((sorted[mid - 1] + sorted[mid]) / 2.0),
    }
}

/// The ratios of one figure over its repeated runs: their median and their range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spread {
    /// The median ratio.
    pub(crate) median: f64,
    /// The lowest ratio.
    pub(crate) min: f64,
    /// The highest ratio.
    pub(crate) max: f64,
}

impl Spread {
    /// The spread of `ratios`; `None` when there are none.
    pub(crate) fn of(ratios: &[f64]) -> Option<Self> {
        Some(Self {
            median: median(ratios)?,
            min: ratios.iter().copied().fold(f64::INFINITY, f64::min),
            max: ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// `ours[i] / reference[i]` for each pair of runs, leaving out pairs whose reference figure is
/// not positive (no ratio can be formed).
pub(crate) fn ratios(ours: &[f64], reference: &[f64]) -> Vec<f64> {
    ours.iter()
        .zip(reference)
        .filter(|(_, r)| **r > 0.0)
        .map(|(o, r)| o / r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_alternate_starting_with_the_reference() {
        use Side::{Ours, Reference};
        assert_eq!(
            schedule(3, true),
            [Reference, Ours, Reference, Ours, Reference, Ours]
        );
        assert_eq!(schedule(1, true), [Reference, Ours]);
        assert_eq!(schedule(2, false), [Ours, Ours]);
        assert!(schedule(0, true).is_empty());
        assert_eq!(Reference.other(), Ours);
        assert_eq!(Ours.other(), Reference);
    }

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[2.0]), Some(2.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(
            median(&[10.0, 1.0, 2.0]),
            Some(2.0),
            "an outlier does not pull it"
        );
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn the_spread_is_the_median_with_the_lowest_and_highest_ratio() {
        assert_eq!(
            Spread::of(&[1.7, 1.2, 2.1]),
            Some(Spread {
                median: 1.7,
                min: 1.2,
                max: 2.1
            })
        );
        assert_eq!(
            Spread::of(&[0.8]),
            Some(Spread {
                median: 0.8,
                min: 0.8,
                max: 0.8
            })
        );
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn ratios_pair_the_runs_in_order_and_skip_a_zero_reference() {
        assert_eq!(
            ratios(&[200.0, 300.0, 50.0], &[100.0, 0.0, 100.0]),
            [2.0, 0.5]
        );
        assert!(ratios(&[1.0], &[]).is_empty());
    }
}
