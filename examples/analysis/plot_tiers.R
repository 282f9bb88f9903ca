# Plot painscreen results with the tidyverse's ggplot2.
#
# Reads the wide CSV (painscreen score --format csv) for the risk tiers and the tidy long CSV
# (painscreen score --format long) for the instrument scores, and writes one PNG:
#
#   Rscript plot_tiers.R reports.csv long.csv tiers_r.png
#
# Decision support for a clinician, not a diagnosis: these are fake example subjects.
suppressPackageStartupMessages(library(ggplot2))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript plot_tiers.R REPORTS.csv LONG.csv OUT.png")

tiers <- c("low", "elevated", "high", "urgent", "not applied")
colours <- c(low = "#4daf4a", elevated = "#ffbf00", high = "#ff7f00", urgent = "#e41a1c", "not applied" = "#999999")
totals <- c("phq9.total", "gad7.total", "auditc.total", "pc_ptsd5.total", "dsm5_oud.count")

# na.strings = character(0): an empty cell stays "", ids and codes are never NA.
wide <- read.csv(args[1], colClasses = "character", na.strings = character(0))
wide$tier <- factor(ifelse(wide$composite_applied == "true", wide$tier, "not applied"), levels = tiers)

long <- read.csv(args[2], colClasses = "character", na.strings = character(0))
scores <- subset(long, kind == "score" & id %in% totals)
scores$value <- as.numeric(scores$value)
scores <- merge(scores, wide[, c("file", "record", "tier")], by = c("file", "record"))
scores$id <- factor(scores$id, levels = totals)

p <- ggplot(scores, aes(x = id, y = value, colour = tier)) +
  geom_point(position = position_dodge(width = 0.5), size = 2) +
  scale_colour_manual(values = colours, drop = FALSE) +
  labs(title = "Scores by risk tier (pain_oud)",
       subtitle = paste(nrow(wide), "response sets; tiers:",
                        paste(names(table(wide$tier)), table(wide$tier), collapse = ", ")),
       x = NULL, y = "score", colour = "tier") +
  theme_minimal(base_size = 11)
ggsave(args[3], p, width = 8, height = 4, dpi = 80)
cat(args[3], ":", nrow(wide), "response sets,", nrow(scores), "scores\n")
