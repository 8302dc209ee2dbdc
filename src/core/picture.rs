//! Pictures as plain data: what an experiment shows, built by the science side and drawn by
//! the renderer (`src/render`) without knowing which experiment it came from.

/// An sRGB colour with alpha, one byte per channel.
pub type Rgba = [u8; 4];

/// One vertical bar, in units of the picture's height (0 = bottom, 1 = top).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub bottom: f32,
    pub top: f32,
    pub rgba: Rgba,
}

/// A bar drawn over the bars of a bar picture, in the slot of bar `slot` (marks on an array:
/// a strip under a cell, a cap on its bar). Marks are drawn after the bars, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    pub slot: u32,
    pub bar: Bar,
}

/// A meter beside a grid: a value against a threshold, both in 0..=1 of the meter's height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meter {
    pub value: f32,
    pub threshold: f32,
    pub reached: bool,
}

/// What a picture draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Bars side by side across the width (`bars`).
    #[default]
    Bars,
    /// Cells in reading order (`cells`), in `columns` columns or, when `None`, in the squarest
    /// grid that fits the target; an optional meter at the right.
    Grid,
}

/// A picture: reused between frames, so its vectors keep their capacity.
#[derive(Clone, Debug, Default)]
pub struct Picture {
    pub layout: Layout,
    pub background: Rgba,
    pub bars: Vec<Bar>,
    /// Over the bars (bar layout only); a mark's slot is below `bars.len()`.
    pub marks: Vec<Mark>,
    pub cells: Vec<Rgba>,
    pub columns: Option<u32>,
    pub meter: Option<Meter>,
}

impl Picture {
    /// Start a bar picture (clears the previous content, keeps the allocations).
    pub fn start_bars(&mut self, background: Rgba) -> &mut Vec<Bar> {
        self.layout = Layout::Bars;
        self.background = background;
        self.cells.clear();
        self.columns = None;
        self.meter = None;
        self.marks.clear();
        self.bars.clear();
        &mut self.bars
    }

    /// Start a grid picture (clears the previous content, keeps the allocations).
    pub fn start_grid(&mut self, background: Rgba, columns: Option<u32>, meter: Option<Meter>) -> &mut Vec<Rgba> {
        self.layout = Layout::Grid;
        self.background = background;
        self.bars.clear();
        self.marks.clear();
        self.columns = columns;
        self.meter = meter;
        self.cells.clear();
        &mut self.cells
    }
}
