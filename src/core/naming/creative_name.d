src/core/naming/creative_name.o: src/core/naming/creative_name.cpp \
 /work/main/src/core/naming/creative_name.hpp \
 /work/main/src/core/common/core_only.hpp \
 /work/main/src/core/common/error.hpp
/work/main/src/core/naming/creative_name.hpp:
/work/main/src/core/common/core_only.hpp:
/work/main/src/core/common/error.hpp:
