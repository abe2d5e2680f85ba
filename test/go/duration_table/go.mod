module durationtable

go 1.19
