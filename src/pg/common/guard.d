src/pg/common/guard.o: src/pg/common/guard.cpp \
 /work/main/src/pg/common/guard.hpp /work/main/src/pg/common/postgres.hpp \
 /work/main/src/core/common/error.hpp \
 /work/main/src/core/common/core_only.hpp
/work/main/src/pg/common/guard.hpp:
/work/main/src/pg/common/postgres.hpp:
/work/main/src/core/common/error.hpp:
/work/main/src/core/common/core_only.hpp:
