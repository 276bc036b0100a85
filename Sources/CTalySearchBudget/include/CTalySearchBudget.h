// The deadline of the search running on the current thread, read by the engine's innermost loops
// (a posting list entering its next block, a fuzzy walk's next term) without a parameter through
// every scorer and algorithm. A thread-local in C because Swift has none: a search runs on one
// thread from its start to its end, without suspending, so the thread is the search.
#ifndef CTALYSEARCHBUDGET_H
#define CTALYSEARCHBUDGET_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One thread's search budget.
typedef struct {
    /// CLOCK_MONOTONIC nanoseconds; 0 while no search with a deadline runs on the thread.
    uint64_t deadline;
    /// Checks left before the clock is read again: a clock read costs tens of nanoseconds, a
    /// check one decrement.
    uint32_t checks_until_clock;
    /// Set once the clock was seen past the deadline; stays set until the search ends.
    bool spent;
} taly_search_budget;

extern _Thread_local taly_search_budget taly_current_search_budget;

/// The thread's deadline (0: none); Swift cannot read the thread-local itself.
static inline uint64_t taly_current_search_budget_deadline(void) { return taly_current_search_budget.deadline; }

/// Reads the clock and sets `spent` when it is past the deadline; returns `spent`.
bool taly_search_budget_read_clock(void);

/// Whether the search on this thread is past its deadline, reading the clock one check in
/// `TALY_CHECKS_PER_CLOCK_READ`. False without a deadline.
static inline bool taly_search_budget_spent(void) {
    taly_search_budget *budget = &taly_current_search_budget;
    if (__builtin_expect(budget->deadline == 0, 1)) return false;
    if (budget->spent) return true;
    if (--budget->checks_until_clock != 0) return false;
    return taly_search_budget_read_clock();
}

/// Starts a budget ending `remaining_nanoseconds` from now (0 or less: already spent) and
/// returns the thread's previous one, to restore with `taly_search_budget_end`.
taly_search_budget taly_search_budget_begin(int64_t remaining_nanoseconds);

/// Restores the budget `taly_search_budget_begin` returned.
void taly_search_budget_end(taly_search_budget previous);

#ifdef __cplusplus
}
#endif

#endif
