# Plot each subject's PHQ-9 total over time from a REDCap export, scored as exported, with ggplot2.
#
# Reads the tidy long CSV of a longitudinal REDCap export scored with follow-up:
#
#   painscreen score --follow-up --subject-column record_id --date-column visit_date \
#     --format long redcap_export.csv > redcap_long.csv
#   Rscript plot_redcap.R redcap_long.csv phq9_over_time_r.png
#
# Every row of the long format carries the record's subject and date; the follow-up rows (kind
# "followup") say which visits reached response, circled on the lines.
#
# Decision support for a clinician, not a diagnosis: the subjects are fake.
suppressPackageStartupMessages(library(ggplot2))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript plot_redcap.R REDCAP_LONG.csv OUT.png")

# na.strings = character(0): an empty cell stays "", ids and codes are never NA.
long <- read.csv(args[1], colClasses = "character", na.strings = character(0))
totals <- subset(long, kind == "score" & id == "phq9.total" & date != "")
totals$value <- as.numeric(totals$value)
totals$date <- as.Date(totals$date, format = "%Y-%m-%d")
response <- subset(long, kind == "followup" & id == "phq9.response" & value == "true")
totals$response <- paste(totals$file, totals$record) %in% paste(response$file, response$record)

p <- ggplot(totals, aes(x = date, y = value, colour = subject, group = subject)) +
  geom_hline(yintercept = c(5, 10, 15, 20), colour = "grey85") +
  geom_line() +
  geom_point(size = 2) +
  geom_point(data = subset(totals, response), shape = 1, size = 5) +
  scale_y_continuous(limits = c(0, 27)) +
  labs(x = NULL, y = "PHQ-9 total", colour = "record_id",
       title = "PHQ-9 total per subject (circled: response since baseline)") +
  theme_minimal()
ggsave(args[2], p, width = 8, height = 4, dpi = 80)
cat(sprintf("%s: %d subjects, %d visits, %d with response\n", args[2],
            length(unique(totals$subject)), nrow(totals), sum(totals$response)))
