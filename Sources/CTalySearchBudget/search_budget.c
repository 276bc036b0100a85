#include "CTalySearchBudget.h"

#include <time.h>

// A block of 128 postings costs a few hundred nanoseconds to decode and score, a fuzzy walk's
// term step tens: one clock read per 64 checks keeps the overrun past a deadline to tens of
// microseconds at most, and the clock out of the per-block cost.
#define TALY_CHECKS_PER_CLOCK_READ 64

_Thread_local taly_search_budget taly_current_search_budget = {0, 0, false};

static uint64_t monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

bool taly_search_budget_read_clock(void) {
    taly_search_budget *budget = &taly_current_search_budget;
    budget->checks_until_clock = TALY_CHECKS_PER_CLOCK_READ;
    if (budget->deadline != 0 && monotonic_nanoseconds() >= budget->deadline) budget->spent = true;
    return budget->spent;
}

taly_search_budget taly_search_budget_begin(int64_t remaining_nanoseconds) {
    taly_search_budget previous = taly_current_search_budget;
    taly_search_budget *budget = &taly_current_search_budget;
    uint64_t now = monotonic_nanoseconds();
    budget->spent = remaining_nanoseconds <= 0;
    budget->deadline = budget->spent ? now : now + (uint64_t)remaining_nanoseconds;
    if (budget->deadline == 0) budget->deadline = 1;
    // A search inside another keeps the outer deadline when it is the earlier one.
    if (previous.deadline != 0 && previous.deadline < budget->deadline) {
        budget->deadline = previous.deadline;
        budget->spent = previous.spent || now >= previous.deadline;
    }
    budget->checks_until_clock = TALY_CHECKS_PER_CLOCK_READ;
    return previous;
}

void taly_search_budget_end(taly_search_budget previous) { taly_current_search_budget = previous; }
