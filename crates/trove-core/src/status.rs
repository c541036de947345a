//! The state of the whole library, and what could not be catalogued.

use crate::error::Result;
use crate::library::Library;
use crate::model::{LibraryStatus, ProblemInfo};

impl Library {
    pub fn status(&self) -> Result<LibraryStatus> {
        let (counts, jobs) = {
            let cat = self.catalog();
            (cat.counts()?, cat.job_counts()?)
        };
        Ok(LibraryStatus {
            library: self.dir().to_owned(),
            counts,
            jobs,
            roots: self.roots()?,
        })
    }

    /// Paths that could not be catalogued.
    pub fn problems(&self) -> Result<Vec<ProblemInfo>> {
        let cat = self.catalog();
        let roots = cat.roots()?;
        Ok(cat
            .scan_problems(None)?
            .into_iter()
            .map(|p| ProblemInfo {
                path: roots
                    .iter()
                    .find(|r| r.id == p.root_id)
                    .map(|r| r.path.join(&p.rel_path))
                    .unwrap_or_else(|| p.rel_path.clone()),
                problem: p,
            })
            .collect())
    }
}
