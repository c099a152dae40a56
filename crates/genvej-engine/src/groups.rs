//! `for_each` groups: a few steps run once per item of a list, e.g. one
//! activity typed into a form field by field, row by row.
//!
//! Every inner step goes through the same [`Run::step`] as a top-level one,
//! so the wrong-window guard, held modifiers, clipboard restore and the
//! run's text limit apply unchanged; the panic key is looked at before every
//! inner step. The list is read and bounded before anything of the group
//! runs. A failure names the item and the inner step ("punkt 2, deltrin 3").

use std::collections::BTreeMap;

use minijinja::Value;
use minijinja::value::ValueKind;

use super::{Run, RunError, Stop};
use crate::ports::Desktop;
use genvej_format::script::{LOOP_VARIABLE, MAX_GROUP_ITEMS, Step};

impl<D: Desktop + ?Sized> Run<'_, '_, D> {
    /// Runs `steps` for each item of the list `list`, the item bound to
    /// `name`; the variable's earlier value (if any) is back afterwards.
    pub(super) fn for_each(&mut self, list: &str, name: &str, steps: &[Step]) -> Result<(), Stop> {
        let not_a_list = || RunError::NotAList {
            list: list.to_string(),
        };
        let value = self
            .engine
            .renderer
            .eval(list, &self.context(list))
            .map_err(|_| not_a_list())?;
        // A text or a map can be iterated too, but is no list of items.
        if !matches!(value.kind(), ValueKind::Seq | ValueKind::Iterable) {
            return Err(not_a_list().into());
        }
        let items: Vec<Value> = value
            .try_iter()
            .map_err(|_| not_a_list())?
            .take(MAX_GROUP_ITEMS + 1)
            .collect();
        if items.len() > MAX_GROUP_ITEMS {
            return Err(RunError::TooManyItems {
                list: list.to_string(),
                limit: MAX_GROUP_ITEMS,
            }
            .into());
        }
        let shadowed: Vec<(&str, Option<Value>)> = [name, LOOP_VARIABLE]
            .into_iter()
            .map(|v| (v, self.vars.get(v).cloned()))
            .collect();
        let result = self.run_items(name, items, steps);
        for (variable, earlier) in shadowed {
            match earlier {
                Some(earlier) => self.vars.insert(variable.to_string(), earlier),
                None => self.vars.remove(variable),
            };
        }
        result
    }

    fn run_items(&mut self, name: &str, items: Vec<Value>, steps: &[Step]) -> Result<(), Stop> {
        let length = items.len();
        for (index, item) in items.into_iter().enumerate() {
            self.vars.insert(name.to_string(), item);
            let position: BTreeMap<&str, Value> = BTreeMap::from([
                ("index", Value::from(index + 1)),
                ("first", Value::from(index == 0)),
                ("last", Value::from(index + 1 == length)),
                ("length", Value::from(length)),
            ]);
            let position = Value::from(position);
            self.vars.insert(LOOP_VARIABLE.to_string(), position);
            for step in steps {
                self.check_cancel()?;
                let in_group = |error: RunError| RunError::InGroup {
                    item: index + 1,
                    step: step.number,
                    action: step.action.name(),
                    line: step.line,
                    error: Box::new(error),
                };
                let outcome = match &step.when {
                    Some(when) => match self.condition(when) {
                        Ok(true) => self.step(step),
                        Ok(false) => Ok(()),
                        Err(e) => Err(e.into()),
                    },
                    None => self.step(step),
                };
                outcome.map_err(|stop| match stop {
                    Stop::Failed(error) => Stop::Failed(in_group(error)),
                    Stop::Cancelled => Stop::Cancelled,
                })?;
            }
        }
        Ok(())
    }
}

impl RunError {
    /// The error inside any group wrappers.
    pub(crate) fn innermost(&self) -> &RunError {
        match self {
            RunError::InGroup { error, .. } => error.innermost(),
            other => other,
        }
    }
}
